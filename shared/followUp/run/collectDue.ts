/** Phase 1 of a reminder run: the due entries, each checked against its record; dead ones dropped. */
import { DEFAULT_CADENCE_DAYS } from '../../config/nurture';
import type { FollowUpKind } from '../../record/keys';
import type { LeadRecord } from '../../record/model';
import { needsFollowUp } from '../../record/projection';
import type { FollowUpPolicy } from '../../record/rebuild';
import type { FollowUpEntry } from '../../record/recordStore';
import { HOUR_MS } from '../../time';
import { checkNurtureEntry, type NurtureEntryCheck, planCadence } from '../cadence';
import { reminderRecipients } from '../owners';
import { recipientsFor, type RoutableLead } from '../routing';
import type { ReminderDeps, ReminderSettings } from '../runReminders';
import { addressList } from './addresses';
import { type Candidate, errorText } from './candidate';
import { rebuildOrWarn } from './rebuildOrWarn';
import type { RunReads } from './runReads';

export interface DueEntries {
  /** Due follow-up entries read. */
  due: number;
  /** Entries dropped without mail (see skipReason); a stale one is moved to its due time first. */
  skipped: number;
  /**
   * Entries kept for the next run: their lead's record is not written yet, a nurture touch is not due yet, or a stale
   * entry's lead is reminded by this run from another entry.
   */
  waiting: number;
  candidates: Candidate[];
}

const ESCALATION_OFF = 'escalation is off (ESCALATION_EMAIL unset)';
const STALE = 'stale entry';

function dueAtFor(record: LeadRecord, kind: Exclude<FollowUpKind, 'nurture'>, config: ReminderSettings): number {
  const hours = kind === 'remind' ? config.followUpHours : config.escalateAfterHours;
  return Date.parse(record.firstSeenAt) + hours * HOUR_MS;
}

/** Why an entry must not be mailed, or undefined when it is a live reminder. */
function skipReason(
  entry: FollowUpEntry,
  record: LeadRecord | undefined,
  config: ReminderSettings,
): string | undefined {
  if (record === undefined) return 'no such lead';
  if (record.status !== 'new') return `status is ${record.status}`;
  if (record.doNotContact) return 'do-not-contact';
  if (record.isTest) return 'test lead';
  if (record.unrecognised) return 'unrecognised lead';
  if (!needsFollowUp(record)) return 'not followed up';
  if (entry.kind === 'nurture') return 'not a speed-to-lead entry';
  if (entry.kind === 'remind' && record.remindedAt) return 'already reminded';
  if (entry.kind === 'escalate' && record.escalatedAt) return 'already escalated';
  // FOLLOW_UP_HOURS or ESCALATE_AFTER_HOURS changed since it was indexed, or a late-processed lead moved firstSeenAt.
  if (Date.parse(entry.dueAt) !== dueAtFor(record, entry.kind, config)) return STALE;
  return undefined;
}

/**
 * Routes may name an offer as Microsoft's LeadSource does (`publisher.offer`, also the sample setting), by the
 * bare offer id, or by title; routing.ts tries them in that order.
 */
export function routeView(record: LeadRecord): RoutableLead {
  return { publisherId: record.publisherId, offerId: record.offerId, offerTitle: record.offerTitle };
}

export async function collectDue(
  deps: ReminderDeps,
  reads: RunReads,
  now: Date,
  policy: FollowUpPolicy,
): Promise<DueEntries> {
  const { store, config, log } = deps;
  const escalationTo = addressList(config.escalationEmail);
  const result: DueEntries = { due: 0, skipped: 0, waiting: 0, candidates: [] };
  for await (const entry of store.dueFollowUps(now)) {
    result.due++;
    const record = await reads.recordOf(entry.leadId);
    // A nurture entry is checked against the cadence its lead's history plans now, with the configured days.
    const nurture: NurtureEntryCheck | undefined =
      entry.kind === 'nurture' && record !== undefined
        ? checkNurtureEntry(
            planCadence(record, await reads.eventsOf(entry.leadId), config.cadenceDays ?? DEFAULT_CADENCE_DAYS),
            { step: entry.step ?? 0, dueAt: entry.dueAt },
            now,
          )
        : undefined;
    if (nurture?.action === 'keep') {
      result.waiting++;
      continue;
    }
    const reason =
      entry.kind === 'nurture'
        ? record === undefined
          ? 'no such lead'
          : nurture?.action === 'drop'
            ? nurture.reason
            : undefined
        : entry.kind === 'escalate' && escalationTo.length === 0
          ? ESCALATION_OFF
          : skipReason(entry, record, config);
    if (record === undefined && (await reads.eventsOf(entry.leadId)).length > 0) {
      // A customer's first lead indexes its entries just before it creates the record: the record is on its way
      // (the message is retried until it is written), so keep the entry for the next run.
      result.waiting++;
      log.info(`Lead ${entry.leadId}: ${entry.kind} entry kept for the next run (its record is not written yet)`);
      continue;
    }
    if (reason !== undefined || record === undefined) {
      // A changed policy changes no record, so no rebuild would index the lead again: the entry is moved here, to
      // its due time under the current policy, before its old row goes (a crash in between leaves both rows, and the
      // next run finds the new one right and only deletes the old).
      const movedTo =
        reason === STALE && record !== undefined && entry.kind !== 'nurture'
          ? new Date(dueAtFor(record, entry.kind, config)).toISOString()
          : undefined;
      // This run already sends the lead this kind from another entry (one a status change wrote at the new time):
      // that entry learns whom the stale one reached, and the stale one waits, untouched, for a run after it. Moving
      // it now would rewrite the row this run marks from, and its marks would fail.
      const sending = result.candidates.find((c) => c.entry.kind === entry.kind && c.entry.leadId === entry.leadId);
      if (movedTo !== undefined && sending !== undefined) {
        sending.entry.sentTo = [...new Set([...sending.entry.sentTo, ...entry.sentTo])];
        result.waiting++;
        log.info(`Lead ${entry.leadId}: ${entry.kind} entry kept for the next run (${STALE}; this run sends another)`);
        continue;
      }
      result.skipped++;
      log.info(
        movedTo === undefined
          ? `Lead ${entry.leadId}: ${entry.kind} entry dropped (${reason ?? 'no such lead'})`
          : `Lead ${entry.leadId}: ${entry.kind} entry moved to ${movedTo} (${STALE})`,
      );
      // Only the entry as this run read it: a status change racing this run (say, back to new) writes the entries
      // its record wants before it saves, which changes the ETag, so our delete leaves them alone.
      try {
        if (movedTo !== undefined) await store.rescheduleFollowUp(entry, movedTo);
        await store.deleteFollowUp(entry.kind, entry.leadId, entry.dueAt, entry.etag);
      } catch (e) {
        log.warn(
          `Lead ${entry.leadId}: could not ${movedTo === undefined ? 'drop' : 'move'} its ${entry.kind} entry (${errorText(e)}); the next run tries again`,
        );
        continue;
      }
      if (record !== undefined && reason !== ESCALATION_OFF) await rebuildOrWarn(deps, record, policy);
      continue;
    }
    const view = routeView(record);
    // A reminder goes to the lead's owner when it has one (owners.ts); escalations to ESCALATION_EMAIL as before.
    const recipients =
      entry.kind === 'escalate'
        ? escalationTo
        : reminderRecipients(record.owner, recipientsFor(view, config.reminderRoutes, config.defaultRecipients));
    const touch = nurture?.action === 'send' ? nurture.touch : undefined;
    result.candidates.push({ ...view, entry, record, recipients, ...(touch === undefined ? {} : { touch }) });
  }
  return result;
}
