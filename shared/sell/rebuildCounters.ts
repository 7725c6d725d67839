/**
 * Recounts every counter shard from the listed records (the listing is each record's copy, caught up first), month by
 * month, and copies them to the counters table: `npm run rebuild-counters`. A month whose shards change while it is
 * recounted (a catch-up saved a listing row: the shard moves in the same transaction) is recounted again.
 */
import { isDeepStrictEqual } from 'node:util';

import type { RecordStore, StoredShard } from '../record/recordStore';
import { count, type CounterShard, emptyShard } from './counters';
import { monthOf, previousMonth } from './leadWalk';
import { catchUpListing } from './listing';

export interface CounterRebuild {
  months: number;
  records: number;
  /** Shards whose stored counts differed from the recount (0 when the counters were right). */
  corrected: number;
}

const MAX_MONTH_ATTEMPTS = 5;
const CATCH_UP_BATCH = 1000;
// Instances' clocks differ by seconds: the listing may already hold a row of next month.
const NEXT_MONTH_MS = 32 * 86_400_000;

/** Lists every noted change that is not still under way. */
async function catchUpAll(store: RecordStore, now: Date): Promise<void> {
  for (;;) {
    const { listed, pending } = await catchUpListing(store, now, CATCH_UP_BATCH);
    if (pending === 0 || listed === 0) return;
  }
}

async function recountMonth(store: RecordStore, partition: string, report: CounterRebuild): Promise<StoredShard[]> {
  for (let attempt = 1; attempt <= MAX_MONTH_ATTEMPTS; attempt++) {
    const stored = new Map((await store.monthShards(partition)).map((s) => [s.offerKey, s]));
    const fresh = new Map<string, CounterShard>();
    let records = 0;
    let after: string | undefined;
    for (;;) {
      const page = await store.listRecordPage(partition, { afterRowKey: after, maxPageSize: 1000 });
      for (const record of page.records) {
        records++;
        let shard = fresh.get(record.offerKey);
        if (!shard) fresh.set(record.offerKey, (shard = emptyShard()));
        count(shard, record, 1);
      }
      after = page.lastRowKey;
      if (!page.more) break;
    }
    const writes: StoredShard[] = [];
    for (const offerKey of new Set([...stored.keys(), ...fresh.keys()])) {
      const old = stored.get(offerKey);
      const shard = fresh.get(offerKey) ?? emptyShard();
      if (old && isDeepStrictEqual(old.shard, shard)) continue;
      writes.push({ partition, offerKey, shard, seq: (old?.seq ?? 0) + 1, etag: old?.etag });
    }
    if ((await store.replaceMonthShards(writes)) === 'saved') {
      report.records += records;
      report.corrected += writes.length;
      const changed = new Set(writes.map((w) => w.offerKey));
      return [
        ...writes.map((w) => ({ ...w, etag: undefined })),
        ...[...stored.values()].filter((s) => !changed.has(s.offerKey)),
      ];
    }
  }
  throw new Error(`Counters of ${partition} kept changing while they were being recounted`);
}

export async function rebuildCounters(store: RecordStore, now: Date): Promise<CounterRebuild> {
  await catchUpAll(store, now);
  const report: CounterRebuild = { months: 0, records: 0, corrected: 0 };
  const oldest = await store.oldestRecordPartition();
  if (oldest === undefined) return report;
  for (let month = monthOf(now.getTime() + NEXT_MONTH_MS); month >= oldest; month = previousMonth(month)) {
    const shards = await recountMonth(store, month, report);
    report.months++;
    for (const shard of shards) await store.mirrorShard(shard);
  }
  return report;
}
