/**
 * `npm run rebuild-search`: builds the search index of a store listed before the index existed, and clears rows a
 * crash left behind. Until a store's index is built, searches walk the listing as before.
 */
import type { RecordStore } from '../../record/recordStore';
import { monthOf, previousMonth } from '../leadWalk';
import { catchUpListing } from '../listing';
import { searchKeys } from './searchKeys';

export interface SearchRebuild {
  records: number;
  /** Rows no listed record holds (left by a crash, or by a store changed by hand), deleted. */
  dropped: number;
}

const CATCH_UP_BATCH = 1000;
// Instances' clocks differ by seconds: the listing may already hold a row of next month.
const NEXT_MONTH_MS = 32 * 86_400_000;

/**
 * Writes every listed record's keys, deletes rows no listed record holds, then marks the index built. Safe while
 * leads arrive: a catch-up meanwhile writes a newer version's keys, which the sweep leaves alone.
 */
export async function rebuildSearch(store: RecordStore, now: Date): Promise<SearchRebuild> {
  for (;;) {
    const { listed, pending } = await catchUpListing(store, now, CATCH_UP_BATCH);
    if (pending === 0 || listed === 0) break;
  }
  const report: SearchRebuild = { records: 0, dropped: 0 };
  // The version each listed record was indexed at, and the keys it holds.
  const seen = new Map<string, number>();
  const expected = new Set<string>();
  const oldest = await store.oldestRecordPartition();
  if (oldest !== undefined) {
    for (let month = monthOf(now.getTime() + NEXT_MONTH_MS); month >= oldest; month = previousMonth(month)) {
      let after: string | undefined;
      for (;;) {
        const page = await store.listRecordPage(month, { afterRowKey: after, maxPageSize: 1000 });
        for (const record of page.records) {
          const listed = await store.listedRecord(record.leadId);
          if (!listed) continue;
          const keys = searchKeys(listed.record);
          await store.putSearchKeys(record.leadId, listed.version, keys);
          seen.set(record.leadId, listed.version);
          for (const key of keys) expected.add(key.rowKey);
          report.records++;
        }
        after = page.lastRowKey;
        if (!page.more) break;
      }
    }
  }
  for await (const row of store.searchRows()) {
    if (expected.has(row.rowKey)) continue;
    // A row written by a newer version than the one read above belongs to a catch-up that ran meanwhile.
    const version = seen.get(row.leadId);
    if (version === undefined || row.version > version) continue;
    if (await store.deleteSearchRow(row)) report.dropped++;
  }
  await store.markSearchBuilt();
  return report;
}
