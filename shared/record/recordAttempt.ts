/**
 * Recording a contact attempt: an `attempt` event in the lead's history, then the record and index rebuilt (an
 * attempt on a new lead makes it contacted and starts its cadence). An amendment must name an attempt of this lead.
 */
import type { Clock } from '../clock';
import { attemptEvent, type AttemptInput } from '../sell/attemptBody';
import { type AttemptEvent, contactAttempts } from './attempts';
import type { LeadRecord } from './model';
import { type FollowUpPolicy, recordEvent } from './rebuild';
import type { RecordStore } from './recordStore';

export interface RecordAttemptDeps {
  store: RecordStore;
  clock: Clock;
  newId: () => string;
  policy: FollowUpPolicy;
}

export type RecordAttemptResult =
  { ok: true; record: LeadRecord; attempt: AttemptEvent } | { ok: false; reason: 'notFound' | 'unknownAmends' };

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
  const { record } = await recordEvent(deps.store, identity, attempt, deps.policy);
  if (!record) return { ok: false, reason: 'notFound' };
  return { ok: true, record, attempt };
}
