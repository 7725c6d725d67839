/**
 * Phase 4 of a reminder run: an entry every recipient now has gets a reminder event in the lead's history, and the
 * rebuild removes the entry for good (and sets remindedAt / escalatedAt, or moves the nurture step on). The event
 * changes the record, so its new version is handed off to the CRM like any other change (docs/crm.md); a hand-off
 * that cannot be queued is logged and waits for the lead's next change, and the entry is completed all the same
 * (its mail went out).
 */
import { recordChange, warnIfHandOffWaits } from '../../record/changeHandOff';
import type { LeadEvent } from '../../record/model';
import { reminderSince } from '../../record/projection';
import type { FollowUpPolicy } from '../../record/rebuild';
import { nurtureReminderEvent, sentNurtureSteps } from '../cadence';
import type { ReminderDeps } from '../runReminders';
import { hasAddress } from './addresses';
import { type Candidate, errorText } from './candidate';
import { rebuildOrWarn } from './rebuildOrWarn';
import { identityOf, type RunReads } from './runReads';

export interface Completion {
  /** Entries finished this run. */
  completed: number;
  /** Entries left for the next run (a recipient's server refused, or the lease was lost). */
  pending: number;
}

/** Stores the event with the hand-off it owes, then queues that. */
async function recordReminder(
  deps: ReminderDeps,
  c: Candidate,
  event: LeadEvent,
  policy: FollowUpPolicy,
): Promise<void> {
  const { handOver } = await recordChange({ ...deps, policy }, identityOf(c.record), event);
  warnIfHandOffWaits((line) => deps.log.warn(line), c.record.leadId, handOver, { of: 'reminder' });
}

async function complete(deps: ReminderDeps, c: Candidate, history: LeadEvent[], policy: FollowUpPolicy): Promise<void> {
  const { store, clock, newId } = deps;
  const { entry, record } = c;
  if (entry.kind === 'nurture') {
    const step = c.touch?.step ?? entry.step ?? 0;
    // As below: a step an earlier run recorded before failing to delete the entry gets no second event.
    if (!sentNurtureSteps(history).includes(step)) {
      const event = nurtureReminderEvent({ step }, entry.sentTo, newId(), clock().toISOString());
      // The rebuild moves the record's nurture entry on to the next step (or none, once stalled).
      await recordReminder(deps, c, event, policy);
    } else {
      await rebuildOrWarn(deps, record, policy);
    }
  } else if (reminderSince(history, entry.kind) === undefined) {
    // An earlier run may have stored the event and failed before deleting the entry: do not add a second one.
    // The event and the record (now reminded) in one transaction; the rebuild removes the entry it no longer wants.
    await recordReminder(
      deps,
      c,
      {
        kind: 'reminder',
        eventId: newId(),
        at: clock().toISOString(),
        reminder: entry.kind,
        recipients: [...entry.sentTo],
      },
      policy,
    );
  } else {
    await rebuildOrWarn(deps, record, policy);
  }
  // Only the entry as this run left it: one a writer has touched since (the lead set back to new) stays.
  await store.deleteFollowUp(entry.kind, entry.leadId, entry.dueAt, entry.etag);
}

export async function completeEntries(
  deps: ReminderDeps,
  reads: RunReads,
  candidates: readonly Candidate[],
  policy: FollowUpPolicy,
): Promise<Completion> {
  const result: Completion = { completed: 0, pending: 0 };
  for (const c of candidates) {
    if (c.recipients.length === 0 || !c.recipients.every((r) => hasAddress(c.entry.sentTo, r))) {
      result.pending++;
      continue;
    }
    try {
      await complete(deps, c, await reads.eventsOf(c.entry.leadId), policy);
      result.completed++;
    } catch (e) {
      result.pending++;
      // The entry is still there with its sentTo, so the next run only completes it; it sends nothing again.
      deps.log.error(
        `Lead ${c.entry.leadId}: could not record the ${c.entry.kind} in its history (${errorText(e)}); the next run completes it`,
      );
    }
  }
  return result;
}
