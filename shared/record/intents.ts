/**
 * Intents: messages a save owes to a downstream queue (an alert to the lead's owner, a hand-off to the CRM). Each is
 * a row of the lead's partition written in the same transaction as the change that causes it, so a crash after the
 * save cannot lose it: whoever next reads the partition and finds it still there hands it over again, and the row
 * is deleted once the message is on its queue and taken (docs/alerts.md, "Exactly once").
 */
import type { TableEntity, TableEntityResult } from '@azure/data-tables';

import { type AlertEnvelope, parseAlertMessage } from '../queue/alertEnvelope';
import { type HandOffEnvelope, parseHandOff } from '../queue/handOffEnvelope';
import { tableJson } from '../storage/tableText';

export type Intent = { kind: 'alert'; message: AlertEnvelope } | { kind: 'handOff'; message: HandOffEnvelope };

/** An intent as read back, with the row's ETag so deleting it never removes a newer one. */
export interface StoredIntent {
  intent: Intent;
  rowKey: string;
  etag: string;
}

/** Row keys of intents sort after event ids (upper-case ULIDs) and apart from the record's row. */
export const INTENT_ROW_PREFIX = 'intent-';

/**
 * One row per alert (its id is the arrival event's) and one per hand-off (by the record's version), so a taker
 * forgets exactly the one it took.
 */
export function intentRowKey(intent: Intent): string {
  return intent.kind === 'alert'
    ? `${INTENT_ROW_PREFIX}alert-${intent.message.alertId}`
    : `${INTENT_ROW_PREFIX}handoff-${intent.message.version}`;
}

export function isIntentRow(rowKey: string | undefined): boolean {
  return rowKey?.startsWith(INTENT_ROW_PREFIX) === true;
}

export function intentToEntity(leadId: string, intent: Intent): TableEntity<Record<string, unknown>> {
  return {
    partitionKey: leadId,
    rowKey: intentRowKey(intent),
    kind: intent.kind,
    message: tableJson(intent.message),
  };
}

/** Undefined for a row no version of this code wrote (it is then left alone and reported by the caller). */
export function entityToIntent(row: TableEntityResult<Record<string, unknown>>): StoredIntent | undefined {
  const text = typeof row.message === 'string' ? row.message : undefined;
  if (text === undefined || row.rowKey === undefined) return undefined;
  if (row.kind === 'alert') {
    const parsed = parseAlertMessage(text);
    if (!parsed.ok || parsed.message.kind !== 'alert') return undefined;
    return { intent: { kind: 'alert', message: parsed.message }, rowKey: row.rowKey, etag: row.etag };
  }
  if (row.kind === 'handOff') {
    const parsed = parseHandOff(text);
    if (!parsed.ok) return undefined;
    return { intent: { kind: 'handOff', message: parsed.message }, rowKey: row.rowKey, etag: row.etag };
  }
  return undefined;
}

/** The queues intents are handed to. A queue left undefined (its feature is off) drops its intents. */
export interface IntentQueues {
  alert?(message: AlertEnvelope): Promise<void>;
  handOff?(message: HandOffEnvelope): Promise<void>;
}

/** Puts the intent's message on its queue; false when its feature is off (nothing to hand over to). */
export async function handOver(queues: IntentQueues, intent: Intent): Promise<boolean> {
  if (intent.kind === 'alert') {
    if (queues.alert === undefined) return false;
    await queues.alert(intent.message);
    return true;
  }
  if (queues.handOff === undefined) return false;
  await queues.handOff(intent.message);
  return true;
}

/**
 * After a save: hands over the intents it stored. A redelivered message (its event was stored already) also hands
 * over every intent still in the partition, which covers a crash between the save and the hand-over; those are then
 * forgotten. A normal save leaves them to their deliverer, which forgets each once taken (so no extra storage call
 * on the hot path). Returns how many messages were put on queues.
 */
export async function handOverIntents(
  queues: IntentQueues,
  settle: (rowKey: string, etag: string) => Promise<void>,
  saved: { intents?: readonly Intent[]; pending?: readonly StoredIntent[]; added: boolean },
): Promise<number> {
  let handed = 0;
  for (const intent of saved.intents ?? []) if (await handOver(queues, intent)) handed++;
  if (saved.added) return handed;
  for (const stored of saved.pending ?? []) {
    if (await handOver(queues, stored.intent)) handed++;
    await settle(stored.rowKey, stored.etag);
  }
  return handed;
}
