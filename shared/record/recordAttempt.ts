/**
 * Recording a contact attempt: an `attempt` event in the lead's history, then the record and index rebuilt (an
 * attempt on a new lead makes it contacted and starts its cadence), and the new version handed off to the CRM
 * (changeHandOff.ts). An amendment must name an attempt of this lead.
 */
import type { Clock } from '../clock';
import { attemptEvent, type AttemptInput } from '../sell/attemptBody';
import { type AttemptEvent, contactAttempts } from './attempts';
import { type ChangeHandOff, handOverChange } from './changeHandOff';
import type { LeadRecord } from './model';
import { type FollowUpPolicy, recordEvent } from './rebuild';
import type { RecordStore } from './recordStore';

export interface RecordAttemptDeps extends ChangeHandOff {
  store: RecordStore;
  clock: Clock;
  newId: () => string;
  policy: FollowUpPolicy;
}

export type RecordAttemptResult =
  | { ok: true; record: LeadRecord; attempt: AttemptEvent; handOverProblem?: string }
  | { ok: false; reason: 'notFound' | 'unknownAmends' };

export async function recordAttempt(
  deps: RecordAttemptDeps,
  leadId: string,
  input: AttemptInput,
): Promise<RecordAttemptResult> {
  const { stored, events } = await deps.store.readLead(leadId);
  if (!stored) return { ok: false, reason: 'notFound' };
  if (input.amends !== undefined && !contactAttempts(events).some((a) => a.eventId === input.amends))
    return { ok: false, reason: 'unknownAmends' };
  const attempt = attemptEvent(input, deps.newId(), deps.clock().toISOString());
  const identity = { leadId, offerKey: stored.record.offerKey, identityKind: stored.record.identityKind };
  const saved = await recordEvent(deps.store, identity, attempt, deps.policy, deps.effects);
  if (!saved.record) return { ok: false, reason: 'notFound' };
  const handOverProblem = await handOverChange(deps.queues, saved);
  return { ok: true, record: saved.record, attempt, ...(handOverProblem === undefined ? {} : { handOverProblem }) };
}
