/**
 * A person's change of a lead (PATCH /api/leads/{id}, the dashboard): a status change, a reassignment, or both,
 * stored as events in one transaction with whatever the change owes downstream (a hand-off of the new version),
 * which is then handed over. The change stands even if the hand-over fails: its intent stays in the partition and
 * the lead's next change hands over a newer version (docs/crm.md).
 */
import type { Clock } from '../clock';
import { reassignmentEvent } from '../followUp/ownerEvents';
import { type ChangeHandOff, type HandOverReport, recordChange } from './changeHandOff';
import type { LeadEvent, LeadRecord, LeadStatus, StatusChangeEvent } from './model';
import type { FollowUpPolicy, SaveEffects } from './rebuild';
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

export interface OwnerChange {
  owner: string;
  via: 'api' | 'dashboard';
  by?: string;
  note?: string;
}

export interface PatchDeps extends ChangeHandOff {
  store: RecordStore;
  clock: Clock;
  newId: () => string;
  policy: FollowUpPolicy;
}

export type PatchResult = ({ ok: true; record: LeadRecord } & HandOverReport) | { ok: false; reason: 'notFound' };

export async function patchLead(
  deps: PatchDeps,
  leadId: string,
  patch: { status?: StatusChange; owner?: OwnerChange },
): Promise<PatchResult> {
  const at = deps.clock().toISOString();
  const events: LeadEvent[] = [];
  if (patch.status !== undefined) {
    const { status, note, by, via, onlyIf, answers, reason } = patch.status;
    events.push({
      kind: 'status',
      eventId: deps.newId(),
      at,
      status,
      note,
      by,
      via,
      ...(onlyIf ? { onlyIf } : {}),
      // A decision's answers (qualified) or reason (disqualified): decisions.ts.
      ...(answers === undefined ? {} : { answers }),
      ...(reason === undefined ? {} : { reason }),
    });
  }
  if (patch.owner !== undefined) events.push(reassignmentEvent(patch.owner, deps.newId(), at));
  const [first, ...rest] = events;
  if (first === undefined) throw new Error('A lead patch names a status or an owner');
  const stored = await deps.store.getRecord(leadId);
  if (!stored) return { ok: false, reason: 'notFound' };
  const identity = { leadId, offerKey: stored.record.offerKey, identityKind: stored.record.identityKind };
  const effects: SaveEffects = async (change) => {
    const owed = (await deps.effects?.(change)) ?? { events: [], intents: [] };
    return { events: [...rest, ...owed.events], intents: owed.intents };
  };
  const { record, handOver } = await recordChange({ ...deps, effects }, identity, first);
  if (!record) return { ok: false, reason: 'notFound' };
  return { ok: true, record, ...handOver };
}
