/** Recording what sales did with a lead: a status event in its history, then the record and index rebuilt. */
import type { Clock } from '../clock';
import type { LeadRecord, LeadStatus, StatusChangeEvent } from './model';
import { type FollowUpPolicy, recordEvent } from './rebuild';
import type { RecordStore } from './recordStore';

export interface StatusChange {
  status: LeadStatus;
  note?: string;
  by?: string;
  via: 'api' | 'email-link' | 'dashboard';
  /** Record the change only over this status (see StatusChangeEvent.onlyIf). */
  onlyIf?: LeadStatus;
  /** A decision's answers (qualified) or reason (disqualified): decisions.ts. */
  answers?: StatusChangeEvent['answers'];
  reason?: StatusChangeEvent['reason'];
}

export type ChangeStatusResult = { ok: true; record: LeadRecord } | { ok: false; reason: 'notFound' };

export async function changeLeadStatus(
  deps: { store: RecordStore; clock: Clock; newId: () => string; policy: FollowUpPolicy },
  leadId: string,
  change: StatusChange,
): Promise<ChangeStatusResult> {
  const stored = await deps.store.getRecord(leadId);
  if (!stored) return { ok: false, reason: 'notFound' };
  const identity = { leadId, offerKey: stored.record.offerKey, identityKind: stored.record.identityKind };
  const { record } = await recordEvent(
    deps.store,
    identity,
    {
      kind: 'status',
      eventId: deps.newId(),
      at: deps.clock().toISOString(),
      status: change.status,
      note: change.note,
      by: change.by,
      via: change.via,
      ...(change.onlyIf ? { onlyIf: change.onlyIf } : {}),
      ...(change.answers === undefined ? {} : { answers: change.answers }),
      ...(change.reason === undefined ? {} : { reason: change.reason }),
    },
    deps.policy,
  );
  if (!record) return { ok: false, reason: 'notFound' };
  return { ok: true, record };
}
