/**
 * Poisoned leads kept for good. The host moves a message that failed `maxDequeueCount` times to `<queue>-poison`
 * with the queue's default 7-day time-to-live, which the app cannot change; a lead nobody replays within a week
 * would be deleted by storage. The `keepPoisonedLead` function copies each poison message to `PoisonedLeads`, a
 * table (no expiry), and only then lets the host delete it; `npm run replay-poison` replays from there.
 *
 * Alert and hand-off messages poisoned on their own queues are kept in the same table, in a partition named after
 * their queue, so replay-poison sends each back where it came from and the lead counts stay about leads.
 */
import type { TableClient, TableEntity, TableEntityResult } from '@azure/data-tables';

import { settingNames, type SettingProblem } from '../config';
import { countRows } from '../storage/countRows';
import { parseEnvelope } from './envelope';

/** The delivery queues whose poisoned messages are kept beside the leads: the partition they are kept in. */
export type DeliveryQueue = 'alerts' | 'handOffs';
export const DELIVERY_QUEUES: readonly DeliveryQueue[] = ['alerts', 'handOffs'];

export interface PoisonedMessage {
  /** Set for an alert or hand-off message; absent for a lead. */
  queue?: DeliveryQueue;
  /** The poison queue message's id. */
  messageId: string;
  /** The envelope's id (the lead's id) when the message is an envelope. */
  envelopeId?: string;
  /** The message as the trigger decoded it (base64 undone): what goes back on the lead queue, encoded again. */
  text: string;
  keptAt: string;
}

// A string property holds 32K characters; a queue message decodes to at most 48 KiB, so it spans a few of them.
const CHUNK_CHARS = 30_000;

type Row = Record<string, unknown>;

/** The trigger hands over the decoded text, already JSON-parsed when it was JSON: this is the text again. */
export function messageText(message: unknown): string {
  return typeof message === 'string' ? message : JSON.stringify(message);
}

/** Keyed by the lead when there is one (stable across the host's retries and our own re-sends), else the message. */
export function poisonedKeys(kept: Pick<PoisonedMessage, 'messageId' | 'envelopeId' | 'queue'>): {
  partitionKey: string;
  rowKey: string;
} {
  if (kept.queue !== undefined)
    return { partitionKey: kept.queue, rowKey: kept.messageId.replace(/[^0-9A-Za-z-]/g, '') };
  return kept.envelopeId !== undefined
    ? { partitionKey: 'lead', rowKey: kept.envelopeId }
    : { partitionKey: 'message', rowKey: kept.messageId.replace(/[^0-9A-Za-z-]/g, '') };
}

export function poisonedToEntity(kept: PoisonedMessage): TableEntity<Row> {
  const entity: TableEntity<Row> = {
    ...poisonedKeys(kept),
    messageId: kept.messageId,
    keptAt: kept.keptAt,
    chunks: Math.ceil(kept.text.length / CHUNK_CHARS),
  };
  if (kept.envelopeId !== undefined) entity.envelopeId = kept.envelopeId;
  if (kept.queue !== undefined) entity.queue = kept.queue;
  for (let i = 0; i * CHUNK_CHARS < kept.text.length; i++) {
    entity[`text${i}`] = kept.text.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS);
  }
  return entity;
}

export function entityToPoisoned(row: TableEntityResult<Row>): PoisonedMessage {
  const chunks = typeof row.chunks === 'number' ? row.chunks : 0;
  let text = '';
  for (let i = 0; i < chunks; i++) text += typeof row[`text${i}`] === 'string' ? (row[`text${i}`] as string) : '';
  return {
    messageId: String(row.messageId),
    envelopeId: typeof row.envelopeId === 'string' ? row.envelopeId : undefined,
    queue: DELIVERY_QUEUES.find((q) => q === row.queue),
    text,
    keptAt: String(row.keptAt),
  };
}

/** The PoisonedLeads table, or why it cannot be used (its settings are wrong). */
export type KeptTable = TableClient | { unusable: string };

/** The table while its settings are wrong: named by setting, never by value (the cause goes into an alert line). */
export function misconfiguredTable(problems: readonly SettingProblem[]): KeptTable {
  return { unusable: `the table settings are wrong: ${settingNames(problems).join(', ')}` };
}

async function store(table: KeptTable, kept: PoisonedMessage): Promise<void> {
  if ('unusable' in table) throw new Error(table.unusable);
  await table.createTable();
  await table.upsertEntity(poisonedToEntity(kept), 'Replace');
}

export interface KeepDeps {
  /** An unusable table is handled as one that is down: the message is put back rather than left to expire. */
  table: KeptTable;
  /** Sends the text to the poison queue again, with no expiry: the way out when the table cannot be written. */
  resend(text: string): Promise<void>;
  now(): Date;
  maxDequeueCount: number;
}

export type KeepOutcome =
  { kept: 'table'; envelopeId?: string } | { kept: 'queue'; envelopeId?: string; cause: string };

/**
 * Stores the copy; the caller returns normally only after that, so the host deletes the poison message only once it
 * is kept. If storing fails on the last try the host would give the message (and its time-to-live) to
 * `<queue>-poison-poison`; instead it goes back to the poison queue as a new message that never expires, to be kept
 * on a later try. Earlier failures throw, so the host retries. A table whose settings are wrong fails the same way.
 */
export async function keepPoisoned(
  message: unknown,
  meta: { messageId: string; dequeueCount: number; queue?: DeliveryQueue },
  deps: KeepDeps,
): Promise<KeepOutcome> {
  const text = messageText(message);
  const parsed = meta.queue === undefined ? parseEnvelope(message) : undefined;
  const envelopeId = parsed?.ok ? parsed.envelope.id : undefined;
  const kept: PoisonedMessage = { messageId: meta.messageId, envelopeId, text, keptAt: deps.now().toISOString() };
  if (meta.queue !== undefined) kept.queue = meta.queue;
  try {
    await store(deps.table, kept);
    return { kept: 'table', envelopeId };
  } catch (e) {
    if (meta.dequeueCount < deps.maxDequeueCount) throw e;
    await deps.resend(text);
    return { kept: 'queue', envelopeId, cause: e instanceof Error ? e.message : String(e) };
  }
}

/** Every kept message, oldest partition first: what replay-poison sends back and erasure searches. */
export async function* keptPoisoned(table: TableClient): AsyncIterable<PoisonedMessage & { keys: Row }> {
  try {
    for await (const row of table.listEntities<Row>()) {
      yield { ...entityToPoisoned(row), keys: { partitionKey: row.partitionKey, rowKey: row.rowKey } };
    }
  } catch (e) {
    // No table yet: nothing was ever poisoned.
    if ((e as { statusCode?: number }).statusCode !== 404) throw e;
  }
}

/**
 * How many poisoned messages are kept (counted up to `cap`, which a healthy app never reaches): leads, or the
 * messages of one delivery queue.
 */
export async function countKeptPoisoned(table: TableClient, cap = 1000, queue?: DeliveryQueue): Promise<number> {
  const filter =
    queue === undefined ? "PartitionKey eq 'lead' or PartitionKey eq 'message'" : `PartitionKey eq '${queue}'`;
  return countRows(table, cap, filter);
}
