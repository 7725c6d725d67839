/**
 * Recording a contact attempt: an `attempt` event in the lead's history, then the record and index rebuilt (an
 * attempt on a new lead makes it contacted and starts its cadence), and the new version handed off to the CRM
 * (changeHandOff.ts). An amendment must name an attempt of this lead.
 */
import type { Clock } from '../clock';
import { attemptEvent, type AttemptInput } from '../sell/attemptBody';
import { type AttemptEvent, contactAttempts } from './attempts';
import { type ChangeHandOff, type HandOverReport, recordChange } from './changeHandOff';
import type { LeadRecord } from './model';
import type { FollowUpPolicy } from './rebuild';
import type { RecordStore } from './recordStore';

export interface RecordAttemptDeps extends ChangeHandOff {
  store: RecordStore;
  clock: Clock;
  newId: () => string;
  policy: FollowUpPolicy;
}

export type RecordAttemptResult =
  | ({ ok: true; record: LeadRecord; attempt: AttemptEvent } & HandOverReport)
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
  const { record, handOver } = await recordChange(deps, identity, attempt);
  if (!record) return { ok: false, reason: 'notFound' };
  return { ok: true, record, attempt, ...handOver };
}
