/**
 * The app's tables behind one adapter: lead records, the identity index, the event history, the follow-up index
 * and rejected messages. Domain code takes a RecordStore; tests run it against Azurite. Layout: docs/storage.md.
 */
import { createHash } from 'node:crypto';

import type { TableClient, TableEntity, TableEntityResult, TransactionAction } from '@azure/data-tables';
import { odata } from '@azure/data-tables';

import type { StorageSettings, TableSettings } from '../config';
import { withoutUndefined } from '../objects';
import type { CounterShard } from '../sell/counters';
import type { DecisionCounts } from '../sell/decisionCounts';
import { type SearchTable, searchTable } from '../sell/search/searchTable';
import { once, tableClient } from '../storage/clients';
import { createOrReplaceAction, saveEntity, saveIfUnchanged, type SaveResult } from '../storage/conditionalWrite';
import { STORAGE_DEADLINES } from '../storage/deadline';
import { isAlreadyExists, isNotFound, isPreconditionFailed } from '../storage/tableErrors';
import { tableJson } from '../storage/tableText';
import { entityToIntent, type Intent, intentToEntity, isIntentRow, type StoredIntent } from './intents';
import { dueBucket, followUpKeys, type FollowUpKind, identityKeys, leadKeys, RECORD_ROW } from './keys';
import type { LeadArrivalEvent, LeadEvent, LeadRecord, LeadStatus } from './model';
import { rawCopyFrom, rawCopyProperties } from './rawCopy';

export interface StoredRecord {
  record: LeadRecord;
  etag: string;
  /** Counts the record's saves: the listing index compares it to know which of two versions is newer. */
  version: number;
}

/** A lead's partition as one read returns it: its record (when written) and its events. */
export interface StoredLead {
  stored?: StoredRecord;
  events: LeadEvent[];
  /** Messages owed to a queue that were not yet handed over (intents.ts). */
  intents?: StoredIntent[];
}

/** One entity-group transaction on a lead's partition: new events, rewritten events, then the record. */
export interface LeadCommit {
  record: LeadRecord;
  /** The record's ETag as read; undefined to create it (the transaction fails if it exists). */
  etag: string | undefined;
  version: number;
  /** Inserted: the transaction fails if one is already stored (a redelivery is found by the read instead). */
  add?: readonly LeadEvent[];
  /** Replaced whole (erasure's anonymised copies). */
  replace?: readonly LeadEvent[];
  /** Messages this change owes to a queue (intents.ts), stored with it. */
  intents?: readonly Intent[];
}

export interface FollowUpEntry {
  kind: FollowUpKind;
  leadId: string;
  dueAt: string;
  /** Recipients whose mail server already accepted this reminder (so a retry skips them). */
  sentTo: string[];
  etag?: string;
  /** For a `nurture` entry: the cadence step it reminds of. */
  step?: number;
}

export interface RejectedMessage {
  id: string;
  at: string;
  reason: string;
  message: string;
}

/** A record changed since the listing index last caught up with it (LeadChanges row). */
export interface PendingChange {
  leadId: string;
  /** The version its writer was about to save when it noted the change. */
  version: number;
  at: string;
  etag: string;
}

export type { SaveResult } from '../storage/conditionalWrite';

/** A stats counter shard (shared/sell/counters.ts) as stored beside the listing rows of its month. */
export interface StoredShard {
  partition: string;
  offerKey: string;
  shard: CounterShard;
  /** Counts the shard's saves: its copy in the counters table moves only forward. */
  seq: number;
  /** Undefined when the shard is not stored yet. */
  etag?: string;
}

/** A listed record: the listing row's copy, its version and ETag. */
export interface ListedRecord {
  record: LeadRecord;
  version: number;
  etag: string;
}

type Row = Record<string, unknown>;

// The newest arrivals, kept by the listing's catch-up for the silence alarm and health (ops/recentArrivals.ts).
const ARRIVALS = { partitionKey: 'arrivals', rowKey: 'newest' };
// Every noted change in one partition: the table only holds what the listing has not caught up with yet.
const CHANGE_PARTITION = 'change';
// Above every listing row key (inverted ULIDs are [0-9A-Z]).
const LISTING_ROWS_END = 'a';
// Counter shards share their month's partition with its listing rows (so one transaction writes both) and sort after them.
const SHARD_ROW_PREFIX = 'counts-';
// The counters table's copies: one partition, so reading every shard is one query of a small table.
const COUNTERS_PARTITION = 'counts';

/** A shard's row key: offer keys are free text, so the key holds a hash of it. */
export function shardRowKey(offerKey: string): string {
  return SHARD_ROW_PREFIX + createHash('sha256').update(offerKey, 'utf8').digest('hex').slice(0, 32);
}

/** The decision counts go in a property of their own: each string property has its own 64 KiB (decisionCounts.ts). */
export function shardToEntity(s: Pick<StoredShard, 'partition' | 'offerKey' | 'shard' | 'seq'>): TableEntity<Row> {
  const { decisions, ...counts } = s.shard;
  return {
    partitionKey: s.partition,
    rowKey: shardRowKey(s.offerKey),
    offerKey: s.offerKey,
    seq: s.seq,
    data: tableJson(counts),
    ...(decisions === undefined ? {} : { decisions: tableJson(decisions) }),
  };
}

function entityToShard(row: TableEntityResult<Row>): StoredShard {
  const counts = JSON.parse(String(row.data)) as CounterShard;
  // A shard stored before decisions were counted has no `decisions`: it stays without until a rebuild.
  const decisions = typeof row.decisions === 'string' ? { decisions: JSON.parse(row.decisions) as DecisionCounts } : {};
  return {
    partition: String(row.partitionKey),
    offerKey: String(row.offerKey),
    shard: { ...counts, ...decisions },
    seq: typeof row.seq === 'number' ? row.seq : 0,
    etag: row.etag,
  };
}

const JSON_FIELDS = new Set(['sources', 'flags', 'qualification', 'cadence']);
/** Properties of a stored record row that are the store's, not the record's. */
const STORE_FIELDS = new Set(['partitionKey', 'rowKey', 'etag', 'timestamp', 'version']);

function recordProperties(record: LeadRecord, version: number): Row {
  const entity: Row = { version };
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined) continue;
    entity[key] = JSON_FIELDS.has(key) ? tableJson(value) : value;
  }
  return entity;
}

/** The record's row in its lead's partition. Entity shapes are exported so bulk loaders write what the store reads. */
export function recordToEntity(record: LeadRecord, version: number): TableEntity<Row> {
  return { partitionKey: record.leadId, rowKey: RECORD_ROW, ...recordProperties(record, version) };
}

/** The record's row in its month's listing table (keys.ts `leadKeys`): the same fields, listed newest first. */
export function listingToEntity(record: LeadRecord, version: number): TableEntity<Row> {
  return { ...leadKeys(record.leadId), ...recordProperties(record, version) };
}

function entityToRecord(entity: TableEntityResult<Row>): LeadRecord {
  const out: Row = {};
  for (const [key, value] of Object.entries(entity)) {
    if (STORE_FIELDS.has(key) || key.startsWith('odata')) continue;
    out[key] = JSON_FIELDS.has(key) && typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  }
  return out as unknown as LeadRecord;
}

const versionOf = (entity: Row): number => (typeof entity.version === 'number' ? entity.version : 0);

export function eventToEntity(leadId: string, event: LeadEvent): TableEntity<Row> {
  const { rawBody, ...rest } = event.kind === 'arrival' ? event : { ...event, rawBody: undefined };
  const entity: TableEntity<Row> = {
    partitionKey: leadId,
    rowKey: event.eventId,
    kind: event.kind,
    at: event.at,
    data: tableJson(rest),
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
  const entity = {
    ...keys,
    kind: entry.kind,
    leadId: entry.leadId,
    dueAt: entry.dueAt,
    sentTo: tableJson(entry.sentTo),
  };
  return entry.step === undefined ? entity : { ...entity, step: entry.step };
}

function followUpKindOf(value: unknown): FollowUpKind {
  return value === 'escalate' || value === 'nurture' ? value : 'remind';
}

export function entityToFollowUp(row: TableEntityResult<Row>): FollowUpEntry {
  return {
    kind: followUpKindOf(row.kind),
    leadId: String(row.leadId),
    dueAt: String(row.dueAt),
    sentTo: typeof row.sentTo === 'string' ? (JSON.parse(row.sentTo) as string[]) : [],
    etag: row.etag,
    ...(typeof row.step === 'number' ? { step: row.step } : {}),
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

export interface RecordStore extends SearchTable {
  /**
   * The record id for an identity: the existing one, or `candidate` if this call created the mapping (`created`; a
   * redelivered first lead finds its own id already mapped).
   */
  resolveLeadId(identityHash: string, candidate: string): Promise<{ leadId: string; created: boolean }>;
  /** A lead's record and events in one query of its partition. */
  readLead(leadId: string): Promise<StoredLead>;
  /** Writes events and the record atomically (one entity-group transaction); 'conflict' when the record moved on. */
  commitLead(commit: LeadCommit): Promise<SaveResult>;
  /**
   * One event alone, outside a transaction: for tools and tests that arrange what a writer of the earlier layout (or
   * a crashed one) left. Processing, status changes and reminders write through commitLead.
   */
  appendEvent(leadId: string, event: LeadEvent): Promise<'created' | 'exists'>;
  listEvents(leadId: string): Promise<LeadEvent[]>;
  /** Rewrites stored events whole (erasure), up to 100 per transaction. */
  replaceEvents(leadId: string, events: readonly LeadEvent[]): Promise<void>;
  getRecord(leadId: string): Promise<StoredRecord | undefined>;
  /** The record alone: creates when `etag` is undefined, else replaces only if unchanged since read. */
  saveRecord(record: LeadRecord, etag: string | undefined, version?: number): Promise<SaveResult>;
  /** Notes that a writer is about to save `version` of the record, so the listing index catches up with it. */
  noteChange(leadId: string, version: number): Promise<void>;
  /** The oldest noted changes first, at most `max`. */
  pendingChanges(max: number): Promise<PendingChange[]>;
  /** Forgets a change once indexed; false when it was noted again meanwhile (then it stays for the next pass). */
  clearChange(change: PendingChange): Promise<boolean>;
  /** The record as the listing shows it, with its version and the row's ETag; undefined when it is not listed. */
  listedRecord(leadId: string): Promise<ListedRecord | undefined>;
  /**
   * Lists `record` at `version` (creates the row, or replaces it only if unchanged since `etag` was read) and saves
   * the counter shards of its month in the same transaction, each only if unchanged since read.
   */
  putListing(
    record: LeadRecord,
    version: number,
    etag: string | undefined,
    shards: readonly StoredShard[],
  ): Promise<SaveResult>;
  /** The counter shard of a month and offer, or undefined when none is stored. */
  counterShard(partition: string, offerKey: string): Promise<StoredShard | undefined>;
  /** Every counter shard of a month, beside its listing rows. */
  monthShards(partition: string): Promise<StoredShard[]>;
  /** Replaces shard rows of one month (a rebuild) in one transaction, each only if unchanged since read. */
  replaceMonthShards(shards: readonly StoredShard[]): Promise<SaveResult>;
  /** Copies a shard into the counters table unless the copy there is as new or newer. */
  mirrorShard(shard: StoredShard): Promise<void>;
  /** Every shard as copied into the counters table: one query of a small table. */
  mirroredShards(): Promise<StoredShard[]>;
  /**
   * Listed records of one month, newest first, optionally from a row key on and up to a listing row key (inclusive:
   * storage is asked for that key range only); a page at a time.
   */
  listRecordPage(
    partitionKey: string,
    options: { afterRowKey?: string; upToRowKey?: string; maxPageSize: number },
  ): Promise<{ records: LeadRecord[]; lastRowKey?: string; more: boolean }>;
  /**
   * Listed records of one month with row keys from `fromRowKey` up to `upToRowKey` (both inclusive) that hold one of
   * the statuses, by row key: the status is filtered by storage, so only those rows come back. Every page is read.
   */
  listedWithStatus(
    partitionKey: string,
    rows: { fromRowKey: string; upToRowKey: string },
    statuses: readonly LeadStatus[],
  ): Promise<Map<string, LeadRecord>>;
  /** The oldest month with a listing table (where a time-ordered walk ends); undefined when there is none. */
  oldestRecordPartition(): Promise<string | undefined>;
  /** Creates the entry when absent; an existing one (same kind, lead and due hour) is left as it is. */
  putFollowUp(entry: FollowUpEntry): Promise<void>;
  /** Creates the entry, or gives an existing one this due time, keeping `sentTo`; either way its ETag changes. */
  setFollowUpDue(entry: Pick<FollowUpEntry, 'kind' | 'leadId' | 'dueAt' | 'step'>): Promise<void>;
  /**
   * Gives a reminder run's `entry` the due time `dueAt`, for a policy that changed since it was indexed: the row for
   * that time gets it, and with it the recipients `entry` was sent to, so none of them gets it twice. A row that has
   * both already is left untouched (its ETag holds, so this run's own candidate there can still be marked). The
   * entry's own row stays: the caller deletes it If-Match, which fails harmlessly when it is the row written here.
   */
  rescheduleFollowUp(entry: FollowUpEntry, dueAt: string): Promise<void>;
  /** The entry's ETag, or undefined when there is none: read before a save so a later delete only removes that. */
  followUpEtag(kind: FollowUpKind, leadId: string, dueAt: string): Promise<string | undefined>;
  /**
   * Deletes the entry; with `etag`, only if it is unchanged since (a writer that wants it has touched it since, and
   * then it stays). False when nothing was deleted.
   */
  deleteFollowUp(kind: FollowUpKind, leadId: string, dueAt: string, etag?: string): Promise<boolean>;
  /** Entries due at or before `now`: reads only partitions up to now's hour, never the not-yet-due. */
  dueFollowUps(now: Date): AsyncIterable<FollowUpEntry>;
  markFollowUpSent(entry: FollowUpEntry, recipients: string[]): Promise<SaveResult>;
  putRejected(rejected: RejectedMessage): Promise<void>;
  /** Erasure: deletes the identity rows mapping to this record (found by `hashes`, and by a scan as a safety net). */
  deleteIdentityRows(leadId: string, hashes: readonly string[]): Promise<number>;
  /** Erasure: deletes every follow-up entry of the record, wherever its due hour put it. */
  deleteFollowUpsOf(leadId: string): Promise<number>;
  /** Health: one cheap read that proves the tables answer (a missing table counts as reachable). */
  probe(): Promise<void>;
  /** Forgets an intent once its message is on its queue; only the row as read when `etag` is given. */
  settleIntent(leadId: string, rowKey: string, etag?: string): Promise<void>;
  /** The accounts index (accountIndex.ts): lists a record under its account's hash. */
  putAccountPerson(accountHash: string, person: AccountPersonRow): Promise<void>;
  /** The people of an account: one partition query, at most `max` rows. */
  accountPeople(accountHash: string, max: number): Promise<AccountPersonRow[]>;
  /** Erasure: removes the record from every account it is listed under (a scan by row key: a rare call). */
  deleteAccountRows(leadId: string): Promise<number>;
  /** The newest real and test arrivals the listing has seen (OpsState row `arrivals/newest`), with its ETag. */
  readArrivals(): Promise<{ arrivals: { lastRealLeadAt?: string; lastTestLeadAt?: string }; etag?: string }>;
  /** Replaces that row, only if unchanged since read (`etag`; undefined creates it). */
  writeArrivals(
    arrivals: { lastRealLeadAt?: string; lastTestLeadAt?: string },
    etag: string | undefined,
  ): Promise<SaveResult>;
}

/** One record under its account: hashes, the offer and times, no personal data in clear. */
export interface AccountPersonRow {
  leadId: string;
  /** The person's hash (saveEffects.ts personHash): one person on two offers is two rows and one person. */
  personKey: string;
  offerKey: string;
  offerTitle?: string;
  firstSeenAt: string;
  lastSeenAt: string;
}

const MAX_ATTEMPTS = 5;

/** Table Storage takes at most 100 operations in one entity-group transaction. */
export const MAX_TRANSACTION_OPERATIONS = 100;

/** `deadlineMs` bounds each storage call (shared/storage/deadline.ts): shorter where a person is waiting. */
export function createRecordStore(
  config: StorageSettings & TableSettings,
  deadlineMs: number = STORAGE_DEADLINES.request,
): RecordStore & { ensureTables(): Promise<void> } {
  const client = (name: string): TableClient => tableClient(config.storageConnection, name, deadlineMs);
  const tables = {
    leadKeys: client(config.tables.leadKeys),
    events: client(config.tables.events),
    changes: client(config.tables.changes),
    listing: client(config.tables.listing),
    counters: client(config.tables.counters),
    followUps: client(config.tables.followUps),
    rejected: client(config.tables.rejected),
    locks: client(config.tables.locks),
    poisoned: client(config.tables.poisoned),
    accountPeople: client(config.tables.accountPeople),
    opsState: client(config.tables.opsState),
    search: client(config.tables.search),
  };
  const ensureTables = once(() => Promise.all(Object.values(tables).map((t) => t.createTable())));

  const readLead = async (leadId: string): Promise<StoredLead> => {
    await ensureTables();
    const result: StoredLead = { events: [] };
    const rows = tables.events.listEntities<Row>({ queryOptions: { filter: odata`PartitionKey eq ${leadId}` } });
    for await (const row of rows) {
      if (row.rowKey === RECORD_ROW)
        result.stored = { record: entityToRecord(row), etag: row.etag, version: versionOf(row) };
      else if (isIntentRow(row.rowKey)) {
        const intent = entityToIntent(row);
        if (intent !== undefined) (result.intents ??= []).push(intent);
      } else result.events.push(entityToEvent(row));
    }
    return result;
  };

  const commitLead = async ({
    record,
    etag,
    version,
    add = [],
    replace = [],
    intents = [],
  }: LeadCommit): Promise<SaveResult> => {
    await ensureTables();
    const actions: TransactionAction[] = [
      ...add.map((e): TransactionAction => ['create', eventToEntity(record.leadId, e)]),
      ...replace.map((e): TransactionAction => ['upsert', eventToEntity(record.leadId, e), 'Replace']),
      ...intents.map((i): TransactionAction => ['upsert', intentToEntity(record.leadId, i), 'Replace']),
      createOrReplaceAction(recordToEntity(record, version), etag),
    ];
    if (actions.length > MAX_TRANSACTION_OPERATIONS)
      throw new Error(`A lead transaction takes at most ${MAX_TRANSACTION_OPERATIONS - 1} events`);
    // A conflict: the record (or an added event) exists already, or the record changed since it was read.
    return saveIfUnchanged(() => tables.events.submitTransaction(actions));
  };

  return {
    ensureTables,
    ...searchTable(tables.search, tables.opsState, ensureTables),

    async resolveLeadId(identityHash, candidate) {
      await ensureTables();
      const keys = identityKeys(identityHash);
      // Insert first: most leads are a customer's first, so this is one round trip; a repeat reads the winner.
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await tables.leadKeys.createEntity({ ...keys, leadId: candidate });
          return { leadId: candidate, created: true };
        } catch (e) {
          if (!isAlreadyExists(e)) throw e;
        }
        try {
          const existing = await tables.leadKeys.getEntity<{ leadId: string }>(keys.partitionKey, keys.rowKey);
          return { leadId: existing.leadId, created: false };
        } catch (e) {
          // Erased between our insert and read: try again.
          if (!isNotFound(e)) throw e;
        }
      }
      throw new Error('Identity mapping kept changing under us (created and deleted concurrently)');
    },

    readLead,
    commitLead,

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
      return (await readLead(leadId)).events;
    },

    async replaceEvents(leadId, events) {
      await ensureTables();
      for (let at = 0; at < events.length; at += MAX_TRANSACTION_OPERATIONS) {
        await tables.events.submitTransaction(
          events
            .slice(at, at + MAX_TRANSACTION_OPERATIONS)
            .map((e): TransactionAction => ['upsert', eventToEntity(leadId, e), 'Replace']),
        );
      }
    },

    async getRecord(leadId) {
      await ensureTables();
      try {
        const entity = await tables.events.getEntity<Row>(leadId, RECORD_ROW);
        return { record: entityToRecord(entity), etag: entity.etag, version: versionOf(entity) };
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },

    async saveRecord(record, etag, version = 1) {
      return commitLead({ record, etag, version });
    },

    async noteChange(leadId, version) {
      await ensureTables();
      await tables.changes.upsertEntity(
        { partitionKey: CHANGE_PARTITION, rowKey: leadId, version, at: new Date().toISOString() },
        'Replace',
      );
    },

    async pendingChanges(max) {
      await ensureTables();
      const changes: PendingChange[] = [];
      const pages = tables.changes
        .listEntities<Row>({ queryOptions: { filter: odata`PartitionKey eq ${CHANGE_PARTITION}` } })
        .byPage({ maxPageSize: Math.min(1000, max) });
      for await (const page of pages) {
        for (const row of page) {
          changes.push({ leadId: String(row.rowKey), version: versionOf(row), at: String(row.at), etag: row.etag });
        }
        if (changes.length >= max) break;
      }
      return changes.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).slice(0, max);
    },

    async clearChange(change) {
      try {
        await tables.changes.deleteEntity(CHANGE_PARTITION, change.leadId, { etag: change.etag });
        return true;
      } catch (e) {
        if (isNotFound(e)) return true;
        if (isPreconditionFailed(e)) return false;
        throw e;
      }
    },

    async listedRecord(leadId) {
      await ensureTables();
      const keys = leadKeys(leadId);
      try {
        const row = await tables.listing.getEntity<Row>(keys.partitionKey, keys.rowKey);
        return { record: entityToRecord(row), version: versionOf(row), etag: row.etag };
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },

    async putListing(record, version, etag, shards) {
      await ensureTables();
      const actions = [
        createOrReplaceAction(listingToEntity(record, version), etag),
        ...shards.map((s) => createOrReplaceAction(shardToEntity(s), s.etag)),
      ];
      return saveIfUnchanged(() => tables.listing.submitTransaction(actions));
    },

    async counterShard(partition, offerKey) {
      await ensureTables();
      try {
        return entityToShard(await tables.listing.getEntity<Row>(partition, shardRowKey(offerKey)));
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },

    async monthShards(partition) {
      await ensureTables();
      const filter = odata`PartitionKey eq ${partition} and RowKey ge ${SHARD_ROW_PREFIX} and RowKey lt ${'counts.'}`;
      const shards: StoredShard[] = [];
      for await (const row of tables.listing.listEntities<Row>({ queryOptions: { filter } }))
        shards.push(entityToShard(row));
      return shards;
    },

    async replaceMonthShards(shards) {
      await ensureTables();
      const actions = shards.map((s) => createOrReplaceAction(shardToEntity(s), s.etag));
      if (actions.length === 0) return 'saved';
      if (actions.length > MAX_TRANSACTION_OPERATIONS)
        throw new Error(
          `A month holds more than ${MAX_TRANSACTION_OPERATIONS} offers' counters: rebuild them in parts`,
        );
      return saveIfUnchanged(() => tables.listing.submitTransaction(actions));
    },

    async mirrorShard(shard) {
      await ensureTables();
      const rowKey = `${shard.partition}-${shardRowKey(shard.offerKey)}`;
      const entity = { ...shardToEntity(shard), partitionKey: COUNTERS_PARTITION, rowKey, partition: shard.partition };
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        let copy: TableEntityResult<Row> | undefined;
        try {
          copy = await tables.counters.getEntity<Row>(COUNTERS_PARTITION, rowKey, {
            queryOptions: { select: ['seq'] },
          });
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
        if (copy && typeof copy.seq === 'number' && copy.seq >= shard.seq) return;
        try {
          if (copy) await tables.counters.updateEntity(entity, 'Replace', { etag: copy.etag });
          else await tables.counters.createEntity(entity);
          return;
        } catch (e) {
          if (!isAlreadyExists(e) && !isPreconditionFailed(e)) throw e;
        }
      }
      throw new Error(`Counters of ${shard.partition}: their copy kept changing while it was being updated`);
    },

    async mirroredShards() {
      await ensureTables();
      const filter = odata`PartitionKey eq ${COUNTERS_PARTITION}`;
      const shards: StoredShard[] = [];
      for await (const row of tables.counters.listEntities<Row>({ queryOptions: { filter } }))
        shards.push({ ...entityToShard(row), partition: String(row.partition) });
      return shards;
    },

    async listRecordPage(partitionKey, { afterRowKey, upToRowKey, maxPageSize }) {
      // Listing rows are inverted ULIDs ([0-9A-Z]); anything else a month's partition holds sorts after them.
      const filter = [
        odata`PartitionKey eq ${partitionKey}`,
        ...(afterRowKey ? [odata`RowKey gt ${afterRowKey}`] : []),
        upToRowKey === undefined ? odata`RowKey lt ${LISTING_ROWS_END}` : odata`RowKey le ${upToRowKey}`,
      ].join(' and ');
      const pages = tables.listing.listEntities<Row>({ queryOptions: { filter } }).byPage({ maxPageSize });
      const records: LeadRecord[] = [];
      let lastRowKey: string | undefined;
      try {
        for await (const page of pages) {
          for (const entity of page) {
            records.push(entityToRecord(entity));
            lastRowKey = entity.rowKey;
          }
          return { records, lastRowKey, more: page.continuationToken !== undefined };
        }
      } catch (e) {
        // A month nobody listed a record in has no table.
        if (!isNotFound(e)) throw e;
      }
      return { records, lastRowKey, more: false };
    },

    async listedWithStatus(partitionKey, { fromRowKey, upToRowKey }, statuses) {
      const found = new Map<string, LeadRecord>();
      if (statuses.length === 0) return found;
      const anyStatus = statuses.map((status) => odata`status eq ${status}`).join(' or ');
      const filter = `${odata`PartitionKey eq ${partitionKey} and RowKey ge ${fromRowKey} and RowKey le ${upToRowKey}`} and (${anyStatus})`;
      try {
        // A page ends at 1,000 rows or after 5 s of the query, even with rows left: follow continuations to the end.
        for await (const entity of tables.listing.listEntities<Row>({ queryOptions: { filter } }))
          if (entity.rowKey !== undefined) found.set(entity.rowKey, entityToRecord(entity));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      return found;
    },

    async oldestRecordPartition() {
      // Entities come back in key order, so the first row of the listing is in its oldest month: one cheap read
      // instead of probing months back to some guessed epoch.
      const pages = tables.listing
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

    async putFollowUp(entry) {
      await ensureTables();
      try {
        await tables.followUps.createEntity(followUpToEntity(entry));
      } catch (e) {
        // Already indexed, possibly with recipients already served: keep that progress.
        if (!isAlreadyExists(e)) throw e;
      }
    },

    async setFollowUpDue({ kind, leadId, dueAt, step }) {
      await ensureTables();
      // Merge leaves the other properties (sentTo) as they are; a new row without sentTo reads as sent to nobody.
      await tables.followUps.upsertEntity(
        {
          ...followUpKeys(kind, leadId, new Date(dueAt)),
          kind,
          leadId,
          dueAt,
          ...(step === undefined ? {} : { step }),
        },
        'Merge',
      );
    },

    async rescheduleFollowUp(entry, dueAt) {
      await ensureTables();
      const keys = followUpKeys(entry.kind, entry.leadId, new Date(dueAt));
      let there: FollowUpEntry | undefined;
      try {
        there = entityToFollowUp(await tables.followUps.getEntity<Row>(keys.partitionKey, keys.rowKey));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      const sentTo = [...new Set([...(there?.sentTo ?? []), ...entry.sentTo])];
      if (there?.dueAt === dueAt && sentTo.length === there.sentTo.length) return;
      // No ETag needed: only the run holding the lease (this one) writes sentTo, and other writers' Merge of dueAt or
      // create-if-absent leave it as this write sets it.
      await tables.followUps.upsertEntity(followUpToEntity({ ...entry, dueAt, sentTo }), 'Merge');
    },

    async followUpEtag(kind, leadId, dueAt) {
      await ensureTables();
      const keys = followUpKeys(kind, leadId, new Date(dueAt));
      try {
        return (
          await tables.followUps.getEntity(keys.partitionKey, keys.rowKey, { queryOptions: { select: ['kind'] } })
        ).etag;
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },

    async deleteFollowUp(kind, leadId, dueAt, etag) {
      const keys = followUpKeys(kind, leadId, new Date(dueAt));
      try {
        await tables.followUps.deleteEntity(keys.partitionKey, keys.rowKey, etag === undefined ? {} : { etag });
        return true;
      } catch (e) {
        if (isNotFound(e) || isPreconditionFailed(e)) return false;
        throw e;
      }
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
        const result = await tables.followUps.updateEntity({ ...keys, sentTo: tableJson(sentTo) }, 'Merge', {
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
      for (const rowKey of [`remind-${leadId}`, `escalate-${leadId}`, `nurture-${leadId}`]) {
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

    async settleIntent(leadId, rowKey, etag) {
      try {
        await tables.events.deleteEntity(leadId, rowKey, etag === undefined ? {} : { etag });
      } catch (e) {
        // Gone already (settled by another taker), or replaced by a newer intent that is still owed.
        if (!isNotFound(e) && !isPreconditionFailed(e)) throw e;
      }
    },

    async putAccountPerson(accountHash, person) {
      await ensureTables();
      await tables.accountPeople.upsertEntity(
        { partitionKey: accountHash, rowKey: person.leadId, ...withoutUndefined(person) },
        'Replace',
      );
    },

    async accountPeople(accountHash, max) {
      await ensureTables();
      const people: AccountPersonRow[] = [];
      const pages = tables.accountPeople
        .listEntities<Row>({ queryOptions: { filter: odata`PartitionKey eq ${accountHash}` } })
        .byPage({ maxPageSize: Math.min(1000, max) });
      for await (const page of pages) {
        for (const row of page) {
          people.push({
            leadId: String(row.rowKey),
            personKey: String(row.personKey),
            offerKey: String(row.offerKey),
            offerTitle: typeof row.offerTitle === 'string' ? row.offerTitle : undefined,
            firstSeenAt: String(row.firstSeenAt),
            lastSeenAt: String(row.lastSeenAt),
          });
        }
        if (people.length >= max) break;
      }
      return people.slice(0, max);
    },

    async deleteAccountRows(leadId) {
      await ensureTables();
      const keys: { partitionKey: string; rowKey: string }[] = [];
      for await (const row of tables.accountPeople.listEntities({
        queryOptions: { filter: odata`RowKey eq ${leadId}` },
      })) {
        if (row.partitionKey !== undefined && row.rowKey !== undefined)
          keys.push({ partitionKey: row.partitionKey, rowKey: row.rowKey });
      }
      return deleteAll(tables.accountPeople, keys);
    },

    async readArrivals() {
      await ensureTables();
      try {
        const row = await tables.opsState.getEntity<Row>(ARRIVALS.partitionKey, ARRIVALS.rowKey);
        const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
        return {
          arrivals: withoutUndefined({
            lastRealLeadAt: text(row.lastRealLeadAt),
            lastTestLeadAt: text(row.lastTestLeadAt),
          }),
          etag: row.etag,
        };
      } catch (e) {
        if (isNotFound(e)) return { arrivals: {} };
        throw e;
      }
    },

    async writeArrivals(arrivals, etag) {
      await ensureTables();
      return saveEntity(tables.opsState, { ...ARRIVALS, ...withoutUndefined(arrivals) }, etag);
    },

    async probe() {
      const page = tables.events
        .listEntities({ queryOptions: { select: ['PartitionKey'] } })
        .byPage({ maxPageSize: 1 });
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
