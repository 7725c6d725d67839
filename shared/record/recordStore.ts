/**
 * The app's tables behind one adapter: lead records, the identity index, the event history, the follow-up index
 * and rejected messages. Domain code takes a RecordStore; tests run it against Azurite. Layout: docs/storage.md.
 */
import { createHash } from 'node:crypto';

import type { TableClient, TableEntity, TableEntityResult } from '@azure/data-tables';
import { odata } from '@azure/data-tables';

import type { StorageSettings, TableSettings } from '../config';
import { once, tableClient } from '../storage/clients';
import { STORAGE_DEADLINES } from '../storage/deadline';
import { isAlreadyExists, isNotFound, isPreconditionFailed } from '../storage/tableErrors';
import { dueBucket, followUpKeys, type FollowUpKind, identityKeys, leadKeys } from './keys';
import type { LeadArrivalEvent, LeadEvent, LeadRecord } from './model';
import { rawCopyFrom, rawCopyProperties } from './rawCopy';

export interface StoredRecord {
  record: LeadRecord;
  etag: string;
}

export interface FollowUpEntry {
  kind: FollowUpKind;
  leadId: string;
  dueAt: string;
  /** Recipients whose mail server already accepted this reminder (so a retry skips them). */
  sentTo: string[];
  etag?: string;
}

export interface RejectedMessage {
  id: string;
  at: string;
  reason: string;
  message: string;
}

export type SaveResult = 'saved' | 'conflict';

type Row = Record<string, unknown>;

const JSON_FIELDS = new Set(['sources', 'flags']);

/** Entity shapes, exported so bulk loaders (the benchmark) write exactly what the store reads. */
export function recordToEntity(record: LeadRecord): TableEntity<Row> {
  const entity: TableEntity<Row> = { ...leadKeys(record.leadId) };
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined) continue;
    entity[key] = JSON_FIELDS.has(key) ? JSON.stringify(value) : value;
  }
  return entity;
}

function entityToRecord(entity: TableEntityResult<Row>): LeadRecord {
  const out: Row = {};
  for (const [key, value] of Object.entries(entity)) {
    if (key === 'partitionKey' || key === 'rowKey' || key === 'etag' || key === 'timestamp' || key.startsWith('odata'))
      continue;
    out[key] = JSON_FIELDS.has(key) && typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  }
  return out as unknown as LeadRecord;
}

export function eventToEntity(leadId: string, event: LeadEvent): TableEntity<Row> {
  const { rawBody, ...rest } = event.kind === 'arrival' ? event : { ...event, rawBody: undefined };
  const entity: TableEntity<Row> = {
    partitionKey: leadId,
    rowKey: event.eventId,
    kind: event.kind,
    at: event.at,
    data: JSON.stringify(rest),
  };
  if (rawBody !== undefined) Object.assign(entity, rawCopyProperties(rawBody));
  return entity;
}

/** Characters of a rejected message kept: a string property holds 32K characters, and the rest must fit too. */
export const REJECTED_EXCERPT_CHARS = 16_000;

/**
 * A rejected message as a row that always fits: a bounded excerpt (never cutting a surrogate pair), the message's
 * full length and its SHA-256, so a message of any size is parked on the first try instead of failing into poison.
 */
export function rejectedToEntity(rejected: RejectedMessage): TableEntity<Row> {
  let end = Math.min(rejected.message.length, REJECTED_EXCERPT_CHARS);
  const last = rejected.message.charCodeAt(end - 1);
  if (end < rejected.message.length && last >= 0xd800 && last <= 0xdbff) end--;
  return {
    partitionKey: rejected.at.slice(0, 7).replace('-', ''),
    rowKey: rejected.id,
    at: rejected.at,
    reason: rejected.reason.slice(0, 1000),
    message: rejected.message.slice(0, end),
    messageLength: rejected.message.length,
    messageSha256: createHash('sha256').update(rejected.message, 'utf8').digest('hex'),
    truncated: end < rejected.message.length,
  };
}

export function followUpToEntity(entry: FollowUpEntry): TableEntity<Row> {
  const keys = followUpKeys(entry.kind, entry.leadId, new Date(entry.dueAt));
  return { ...keys, kind: entry.kind, leadId: entry.leadId, dueAt: entry.dueAt, sentTo: JSON.stringify(entry.sentTo) };
}

export function entityToFollowUp(row: TableEntityResult<Row>): FollowUpEntry {
  return {
    kind: row.kind === 'escalate' ? 'escalate' : 'remind',
    leadId: String(row.leadId),
    dueAt: String(row.dueAt),
    sentTo: typeof row.sentTo === 'string' ? (JSON.parse(row.sentTo) as string[]) : [],
    etag: row.etag,
  };
}

export function entityToEvent(entity: TableEntityResult<Row>): LeadEvent {
  const data = typeof entity.data === 'string' ? entity.data : '{}';
  const stored = JSON.parse(data) as LeadEvent | (Omit<LeadArrivalEvent, 'kind'> & { kind: 'lead' });
  // Arrival events written before the rename carry kind 'lead'; they are read as what they are.
  const event: LeadEvent = stored.kind === 'lead' ? { ...stored, kind: 'arrival' } : stored;
  if (event.kind === 'arrival') event.rawBody = rawCopyFrom(entity);
  return event;
}

export interface RecordStore {
  /** The record id for an identity: the existing one, or `candidate` if this call created the mapping. */
  resolveLeadId(identityHash: string, candidate: string): Promise<string>;
  appendEvent(leadId: string, event: LeadEvent): Promise<'created' | 'exists'>;
  listEvents(leadId: string): Promise<LeadEvent[]>;
  replaceEvent(leadId: string, event: LeadEvent): Promise<void>;
  getRecord(leadId: string): Promise<StoredRecord | undefined>;
  /** Creates when `etag` is undefined, else replaces only if the record is unchanged since read. */
  saveRecord(record: LeadRecord, etag: string | undefined): Promise<SaveResult>;
  /** Leads of one month partition, newest first, optionally from a row key on; a page at a time. */
  listRecordPage(
    partitionKey: string,
    options: { afterRowKey?: string; maxPageSize: number },
  ): Promise<{ records: LeadRecord[]; lastRowKey?: string; more: boolean }>;
  putFollowUp(entry: FollowUpEntry): Promise<void>;
  /** Creates the entry, or gives an existing one (same kind, lead and due hour) this due time, keeping `sentTo`. */
  setFollowUpDue(entry: Pick<FollowUpEntry, 'kind' | 'leadId' | 'dueAt'>): Promise<void>;
  deleteFollowUp(kind: FollowUpKind, leadId: string, dueAt: string): Promise<void>;
  /** Entries due at or before `now`: reads only partitions up to now's hour, never the not-yet-due. */
  dueFollowUps(now: Date): AsyncIterable<FollowUpEntry>;
  markFollowUpSent(entry: FollowUpEntry, recipients: string[]): Promise<SaveResult>;
  putRejected(rejected: RejectedMessage): Promise<void>;
  /** The oldest month partition holding a record (where a time-ordered walk ends); undefined when there is none. */
  oldestRecordPartition(): Promise<string | undefined>;
  /** Erasure: deletes the identity rows mapping to this record (found by `hashes`, and by a scan as a safety net). */
  deleteIdentityRows(leadId: string, hashes: readonly string[]): Promise<number>;
  /** Erasure: deletes every follow-up entry of the record, wherever its due hour put it. */
  deleteFollowUpsOf(leadId: string): Promise<number>;
  /** Health: one cheap read that proves the tables answer (a missing table counts as reachable). */
  probe(): Promise<void>;
}

/** `deadlineMs` bounds each storage call (shared/storage/deadline.ts): shorter where a person is waiting. */
export function createRecordStore(
  config: StorageSettings & TableSettings,
  deadlineMs: number = STORAGE_DEADLINES.request,
): RecordStore & { ensureTables(): Promise<void> } {
  const client = (name: string): TableClient => tableClient(config.storageConnection, name, deadlineMs);
  const tables = {
    leads: client(config.tables.leads),
    leadKeys: client(config.tables.leadKeys),
    events: client(config.tables.events),
    followUps: client(config.tables.followUps),
    rejected: client(config.tables.rejected),
    locks: client(config.tables.locks),
    poisoned: client(config.tables.poisoned),
  };
  const ensureTables = once(() => Promise.all(Object.values(tables).map((t) => t.createTable())));

  return {
    ensureTables,

    async resolveLeadId(identityHash, candidate) {
      await ensureTables();
      const keys = identityKeys(identityHash);
      // Insert first: most leads are a customer's first, so this is one round trip; a repeat reads the winner.
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await tables.leadKeys.createEntity({ ...keys, leadId: candidate });
          return candidate;
        } catch (e) {
          if (!isAlreadyExists(e)) throw e;
        }
        try {
          const existing = await tables.leadKeys.getEntity<{ leadId: string }>(keys.partitionKey, keys.rowKey);
          return existing.leadId;
        } catch (e) {
          // Erased between our insert and read: try again.
          if (!isNotFound(e)) throw e;
        }
      }
      throw new Error('Identity mapping kept changing under us (created and deleted concurrently)');
    },

    async appendEvent(leadId, event) {
      await ensureTables();
      try {
        await tables.events.createEntity(eventToEntity(leadId, event));
        return 'created';
      } catch (e) {
        if (isAlreadyExists(e)) return 'exists';
        throw e;
      }
    },

    async listEvents(leadId) {
      await ensureTables();
      const events: LeadEvent[] = [];
      const rows = tables.events.listEntities<Row>({ queryOptions: { filter: odata`PartitionKey eq ${leadId}` } });
      for await (const row of rows) events.push(entityToEvent(row));
      return events;
    },

    async replaceEvent(leadId, event) {
      await tables.events.upsertEntity(eventToEntity(leadId, event), 'Replace');
    },

    async getRecord(leadId) {
      await ensureTables();
      const keys = leadKeys(leadId);
      try {
        const entity = await tables.leads.getEntity<Row>(keys.partitionKey, keys.rowKey);
        return { record: entityToRecord(entity), etag: entity.etag };
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },

    async saveRecord(record, etag) {
      await ensureTables();
      const entity = recordToEntity(record);
      try {
        if (etag === undefined) await tables.leads.createEntity(entity);
        else await tables.leads.updateEntity(entity, 'Replace', { etag });
        return 'saved';
      } catch (e) {
        if (isAlreadyExists(e) || isPreconditionFailed(e)) return 'conflict';
        throw e;
      }
    },

    async listRecordPage(partitionKey, { afterRowKey, maxPageSize }) {
      await ensureTables();
      const filter = afterRowKey
        ? odata`PartitionKey eq ${partitionKey} and RowKey gt ${afterRowKey}`
        : odata`PartitionKey eq ${partitionKey}`;
      const pages = tables.leads.listEntities<Row>({ queryOptions: { filter } }).byPage({ maxPageSize });
      const records: LeadRecord[] = [];
      let lastRowKey: string | undefined;
      for await (const page of pages) {
        for (const entity of page) {
          records.push(entityToRecord(entity));
          lastRowKey = entity.rowKey;
        }
        return { records, lastRowKey, more: page.continuationToken !== undefined };
      }
      return { records, lastRowKey, more: false };
    },

    async putFollowUp(entry) {
      await ensureTables();
      try {
        await tables.followUps.createEntity(followUpToEntity(entry));
      } catch (e) {
        // Already indexed, possibly with recipients already served: keep that progress.
        if (!isAlreadyExists(e)) throw e;
      }
    },

    async setFollowUpDue({ kind, leadId, dueAt }) {
      await ensureTables();
      // Merge leaves the other properties (sentTo) as they are; a new row without sentTo reads as sent to nobody.
      await tables.followUps.upsertEntity(
        { ...followUpKeys(kind, leadId, new Date(dueAt)), kind, leadId, dueAt },
        'Merge',
      );
    },

    async deleteFollowUp(kind, leadId, dueAt) {
      const keys = followUpKeys(kind, leadId, new Date(dueAt));
      await tables.followUps.deleteEntity(keys.partitionKey, keys.rowKey).catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
    },

    async *dueFollowUps(now) {
      await ensureTables();
      const filter = odata`PartitionKey le ${dueBucket(now)}`;
      for await (const row of tables.followUps.listEntities<Row>({ queryOptions: { filter } })) {
        const entry = entityToFollowUp(row);
        if (Date.parse(entry.dueAt) <= now.getTime()) yield entry;
      }
    },

    async markFollowUpSent(entry, recipients) {
      const keys = followUpKeys(entry.kind, entry.leadId, new Date(entry.dueAt));
      const sentTo = [...new Set([...entry.sentTo, ...recipients])];
      try {
        const result = await tables.followUps.updateEntity({ ...keys, sentTo: JSON.stringify(sentTo) }, 'Merge', {
          etag: entry.etag ?? '*',
        });
        entry.sentTo = sentTo;
        entry.etag = result.etag;
        return 'saved';
      } catch (e) {
        if (isPreconditionFailed(e) || isNotFound(e)) return 'conflict';
        throw e;
      }
    },

    async putRejected(rejected) {
      await ensureTables();
      await tables.rejected.upsertEntity(rejectedToEntity(rejected), 'Replace');
    },

    async oldestRecordPartition() {
      // Entities come back in key order, so the first row of the table is in its oldest month: one cheap read
      // instead of probing months back to some guessed epoch.
      const pages = tables.leads
        .listEntities({ queryOptions: { select: ['PartitionKey'] } })
        .byPage({ maxPageSize: 1 });
      try {
        for await (const page of pages) {
          const first = page[0];
          if (first !== undefined) return first.partitionKey;
          // An empty first page with a continuation is possible on a large table: keep reading.
        }
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
      return undefined;
    },

    async deleteIdentityRows(leadId, hashes) {
      const keys = new Map<string, { partitionKey: string; rowKey: string }>();
      for (const hash of hashes) {
        const k = identityKeys(hash);
        try {
          const row = await tables.leadKeys.getEntity<{ leadId?: string }>(k.partitionKey, k.rowKey);
          // The same person may have a newer record under this hash (after an earlier erasure): that one is not ours.
          if (row.leadId === leadId) keys.set(k.rowKey, k);
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
      // Safety net for rows the hashes cannot find (payload already erased by a crashed call, or identity rules
      // changed since processing): a filtered scan of a table of one small row per record, fine for a rare call.
      const filter = odata`leadId eq ${leadId}`;
      for await (const row of tables.leadKeys.listEntities<{ leadId?: string }>({ queryOptions: { filter } })) {
        if (row.partitionKey !== undefined && row.rowKey !== undefined) {
          keys.set(row.rowKey, { partitionKey: row.partitionKey, rowKey: row.rowKey });
        }
      }
      return deleteAll(tables.leadKeys, keys.values());
    },

    async deleteFollowUpsOf(leadId) {
      // Entries live in due-hour partitions; the record's dates say where they should be, but a scan of this small
      // table (pending reminders only) also finds any an earlier first-seen time left behind.
      const keys: { partitionKey: string; rowKey: string }[] = [];
      for (const rowKey of [`remind-${leadId}`, `escalate-${leadId}`]) {
        for await (const row of tables.followUps.listEntities({
          queryOptions: { filter: odata`RowKey eq ${rowKey}` },
        })) {
          if (row.partitionKey !== undefined && row.rowKey !== undefined) {
            keys.push({ partitionKey: row.partitionKey, rowKey: row.rowKey });
          }
        }
      }
      return deleteAll(tables.followUps, keys);
    },

    async probe() {
      const page = tables.leads.listEntities({ queryOptions: { select: ['PartitionKey'] } }).byPage({ maxPageSize: 1 });
      try {
        await page.next();
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },
  };
}

/** Deletes the rows by key; one already gone is not an error. Returns how many this call deleted. */
async function deleteAll(
  table: TableClient,
  keys: Iterable<{ partitionKey: string; rowKey: string }>,
): Promise<number> {
  let deleted = 0;
  for (const k of keys) {
    try {
      await table.deleteEntity(k.partitionKey, k.rowKey);
      deleted++;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return deleted;
}
