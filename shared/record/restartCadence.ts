/**
 * Restarting a lead's cadence: someone chose to go on with a contacted lead (typically a stalled one), so its
 * touches start over from now. A `cadenceRestart` event, then the record and its nurture entry rebuilt, and the new
 * version handed off to the CRM (changeHandOff.ts).
 */
import type { Clock } from '../clock';
import type { CadenceRestartEvent } from '../followUp/cadence';
import { type ChangeHandOff, type HandOverReport, recordChange } from './changeHandOff';
import type { LeadRecord } from './model';
import type { FollowUpPolicy } from './rebuild';
import type { RecordStore } from './recordStore';

export interface RestartInput {
  note?: string;
  by?: string;
  via: 'api' | 'dashboard';
}

export type RestartResult =
  | ({ ok: true; record: LeadRecord } & HandOverReport)
  | { ok: false; reason: 'notFound' }
  /** Only a contacted lead has a cadence to restart: a new one has none yet, a decided one is done. */
  | { ok: false; reason: 'notContacted'; status: LeadRecord['status'] };

export async function restartCadence(
  deps: { store: RecordStore; clock: Clock; newId: () => string; policy: FollowUpPolicy } & ChangeHandOff,
  leadId: string,
  input: RestartInput,
): Promise<RestartResult> {
  const stored = await deps.store.getRecord(leadId);
  if (!stored) return { ok: false, reason: 'notFound' };
  if (stored.record.status !== 'contacted') return { ok: false, reason: 'notContacted', status: stored.record.status };
  const event: CadenceRestartEvent = {
    kind: 'cadenceRestart',
    eventId: deps.newId(),
    at: deps.clock().toISOString(),
    ...(input.note === undefined ? {} : { note: input.note }),
    ...(input.by === undefined ? {} : { by: input.by }),
    via: input.via,
  };
  const identity = { leadId, offerKey: stored.record.offerKey, identityKind: stored.record.identityKind };
  const { record, handOver } = await recordChange(deps, identity, event);
  if (!record) return { ok: false, reason: 'notFound' };
  return { ok: true, record, ...handOver };
}
