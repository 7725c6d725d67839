/**
 * Keeps the listing (the month tables the lead list, export and stats read, docs/storage.md) caught up with the
 * records. Every writer notes a change (LeadChanges) before it saves a record; catching up lists the record as
 * stored and forgets the note. Listing rows only move forward: a row is replaced only by a newer version of its
 * record, and only if nobody replaced it since it was read, so two passes at once can never list an older version.
 */
import { isDeepStrictEqual } from 'node:util';

import { type LeadArrivals, observeArrival } from '../ops/silence';
import { indexAccount } from '../record/accountIndex';
import { leadKeys } from '../record/keys';
import type { LeadRecord } from '../record/model';
import type { RecordStore, StoredShard } from '../record/recordStore';
import { count, emptyShard } from './counters';
import { addSearchKeys, dropSearchKeys, markBuiltWhileEmpty } from './search/searchIndex';

const MAX_ATTEMPTS = 5;
/**
 * A note younger than this whose record is not yet at the noted version belongs to a writer still under way (its
 * save comes after the note): leave it for the next pass. Older, the writer has failed; list what is stored. Longer
 * than a writer's storage deadline (30 s) with its retries.
 */
export const WRITER_GRACE_MS = 120_000;

/**
 * The counter shards a listing change touches, moved from the listed version to the new one: the shards are saved
 * in the same transaction as the listing row, so each listed version is counted exactly once.
 */
async function movedShards(
  store: RecordStore,
  partition: string,
  from: LeadRecord | undefined,
  to: LeadRecord,
): Promise<StoredShard[]> {
  const offers = [...new Set([from?.offerKey, to.offerKey].filter((k): k is string => k !== undefined))];
  const moved: StoredShard[] = [];
  for (const offerKey of offers) {
    const stored = await store.counterShard(partition, offerKey);
    const shard = structuredClone(stored?.shard ?? emptyShard());
    if (from?.offerKey === offerKey) count(shard, from, -1);
    if (to.offerKey === offerKey) count(shard, to, 1);
    if (stored && isDeepStrictEqual(shard, stored.shard)) continue;
    moved.push({ partition, offerKey, shard, seq: (stored?.seq ?? 0) + 1, etag: stored?.etag });
  }
  return moved;
}

/** Copies the month's shards of these offers to the counters table (catches up a copy a crash left behind). */
async function mirror(store: RecordStore, partition: string, offerKeys: readonly string[]): Promise<void> {
  for (const offerKey of offerKeys) {
    const shard = await store.counterShard(partition, offerKey);
    if (shard) await store.mirrorShard(shard);
  }
}

/**
 * Lists the lead's record as stored now, unless the listing already shows that version or a newer one. Returns the
 * record's last arrival, for the newest-arrivals row.
 */
export async function listLead(
  store: RecordStore,
  leadId: string,
): Promise<{ at: string; isTest: boolean } | undefined> {
  const partition = leadKeys(leadId).partitionKey;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const stored = await store.getRecord(leadId);
    if (!stored) return undefined;
    const listed = await store.listedRecord(leadId);
    if (listed && listed.version >= stored.version) {
      // What follows a saved listing row is done again: a pass that stopped after saving it (a timeout, a crash) left
      // its change noted, and this is its only repair. Each step is idempotent. Not the search keys the older version
      // alone had: that version is gone, so they stay until `npm run rebuild-search` (results are checked against
      // the listing, so they cost reads, not wrong answers).
      await mirror(store, partition, [listed.record.offerKey]);
      if (listed.version === stored.version) await indexAccount(store, stored.record);
      return arrivalOf(stored.record);
    }
    // A record listed for the first time by any path (a catch-up, an erasure) may be the store's first.
    if (!listed) await markBuiltWhileEmpty(store);
    const shards = await movedShards(store, partition, listed?.record, stored.record);
    // Found by its new values before it is listed with them; the old values go once the new version is listed.
    await addSearchKeys(store, listed?.record, stored.record, stored.version);
    if ((await store.putListing(stored.record, stored.version, listed?.etag, shards)) === 'saved') {
      await dropSearchKeys(store, listed?.record, stored.record, stored.version);
      for (const shard of shards) await store.mirrorShard({ ...shard, etag: undefined });
      // The accounts index follows the listing, off the hot path (accountIndex.ts).
      await indexAccount(store, stored.record);
      return arrivalOf(stored.record);
    }
  }
  throw new Error(`Lead ${leadId}: its listing row kept changing while it was being caught up`);
}

function arrivalOf(record: LeadRecord): { at: string; isTest: boolean } {
  return { at: record.lastSeenAt, isTest: record.isTest };
}

export interface CatchUp {
  /** Changes listed and forgotten. */
  listed: number;
  /** Changes left for a later pass (a writer still under way, or more than `max`). */
  pending: number;
}

/** Lists up to `max` noted changes, oldest first. */
export async function catchUpListing(store: RecordStore, now: Date, max: number): Promise<CatchUp> {
  const changes = await store.pendingChanges(max + 1);
  const result: CatchUp = { listed: 0, pending: Math.max(0, changes.length - max) };
  let seen: LeadArrivals = {};
  for (const change of changes.slice(0, max)) {
    const stored = await store.getRecord(change.leadId);
    const underWay = (stored?.version ?? 0) < change.version && now.getTime() - Date.parse(change.at) < WRITER_GRACE_MS;
    if (underWay) {
      result.pending++;
      continue;
    }
    const arrival = await listLead(store, change.leadId);
    if (arrival !== undefined) seen = observeArrival(seen, arrival);
    // Noted again meanwhile (a newer save on its way): it stays, and the next pass lists that one.
    if (await store.clearChange(change)) result.listed++;
    else result.pending++;
  }
  await keepNewestArrivals(store, seen);
  return result;
}

/**
 * Folds what a pass listed into the newest-arrivals row, which the silence alarm and health read (one point read
 * instead of walking the listing, and a returning customer's lead counts too: its record's last-seen moves).
 */
async function keepNewestArrivals(store: RecordStore, seen: LeadArrivals): Promise<void> {
  if (seen.lastRealLeadAt === undefined && seen.lastTestLeadAt === undefined) return;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const { arrivals, etag } = await store.readArrivals();
    let next = arrivals;
    if (seen.lastRealLeadAt !== undefined) next = observeArrival(next, { at: seen.lastRealLeadAt, isTest: false });
    if (seen.lastTestLeadAt !== undefined) next = observeArrival(next, { at: seen.lastTestLeadAt, isTest: true });
    if (next.lastRealLeadAt === arrivals.lastRealLeadAt && next.lastTestLeadAt === arrivals.lastTestLeadAt) return;
    if ((await store.writeArrivals(next, etag)) === 'saved') return;
  }
  throw new Error('The newest-arrivals row kept changing while the listing caught up');
}
