/**
 * The queue trigger's work: one envelope → one event in the right customer's history → the record rebuilt.
 * Ordered so that a crash at any step leaves something a retry completes, and a repeat changes nothing:
 * identity row (create-or-read) → event row (keyed by envelope id) → record and follow-up index (rebuild).
 */
import type { Clock } from '../clock';
import { parseEnvelope } from '../queue/envelope';
import type { Telemetry } from '../telemetry';
import { toArrivalEvent } from './arrivalEvent';
import { leadTelemetryProperties } from './leadTelemetry';
import type { LeadRecord } from './model';
import { createOrRebuildLead, type FollowUpPolicy, recordEvent } from './rebuild';
import type { RecordStore } from './recordStore';

export interface RecordDeps {
  store: RecordStore;
  clock: Clock;
  telemetry: Telemetry;
  policy: FollowUpPolicy;
  log(message: string): void;
}

export type RecordOutcome =
  | { kind: 'stored'; leadId: string; merged: boolean; record: LeadRecord; duplicateDelivery: boolean }
  | { kind: 'rejected'; reason: string };

/** `messageId` names the queue message when the envelope itself is unreadable. */
export async function recordLead(message: unknown, messageId: string, deps: RecordDeps): Promise<RecordOutcome> {
  const started = deps.clock();
  const parsed = parseEnvelope(message);
  const placed = parsed.ok ? toArrivalEvent(parsed.envelope) : parsed;
  if (!placed.ok) {
    // Can never succeed: park it with its reason now instead of burning the host's retries.
    const id = parsed.ok ? parsed.envelope.id : messageId;
    await deps.store.putRejected({
      id,
      at: started.toISOString(),
      reason: placed.reason,
      message: typeof message === 'string' ? message : JSON.stringify(message),
    });
    deps.telemetry.event('LeadRejected', { reason: placed.reason });
    deps.log(`Message ${id} rejected: ${placed.reason}`);
    return { kind: 'rejected', reason: placed.reason };
  }

  const { event, offerKey, identityKind, identityHash } = placed;
  const resolved = identityHash
    ? await deps.store.resolveLeadId(identityHash, event.eventId)
    : { leadId: event.eventId, created: true };
  const { leadId } = resolved;
  const identity = { leadId, offerKey, identityKind };
  // The record is new when this call mapped the identity to this lead's own id: skip reading what cannot exist yet.
  // A redelivered first lead finds its own id mapped already and reads, which finds its event stored.
  const { record, added } = resolved.created
    ? await createOrRebuildLead(deps.store, identity, event, deps.policy)
    : await recordEvent(deps.store, identity, event, deps.policy);
  if (!record) throw new Error(`Lead ${leadId} has no arrival events after appending ${event.eventId}`);

  const merged = record.eventCount > 1;
  const properties = leadTelemetryProperties(offerKey, event, record);
  deps.telemetry.event('LeadReceived', properties);
  if (merged) deps.telemetry.event('LeadMerged', { ...properties, eventCount: String(record.eventCount) });
  const now = deps.clock();
  deps.telemetry.metric('LeadProcessingMs', now.getTime() - started.getTime());
  deps.telemetry.metric('LeadQueueLatencyMs', now.getTime() - Date.parse(event.at));
  if (record.unrecognised) {
    deps.log(
      `Warning: lead ${leadId} has none of the documented fields; stored as unrecognised for an operator to read`,
    );
  }
  return { kind: 'stored', leadId, merged, record, duplicateDelivery: !added };
}
