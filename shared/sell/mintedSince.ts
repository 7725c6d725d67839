/**
 * The listed records whose id was minted at or after a time: the rows at the head of the newest month partitions.
 * Each month is one query for that row-key range only (row keys are inverted ids, so the range starts at the
 * partition's head and ends at the key of `since`), so storage returns the window's rows and nothing older,
 * whatever the month holds. A record's id time is never before its first-seen time, so every record first seen
 * since then is among them (with some whose first seen moved earlier: the caller decides by first seen).
 */
import type { LeadRecord } from '../record/model';
import { CLOCK_SKEW_MS, monthOf, previousMonth, rowKeyAfterTime } from './leadWalk';

export interface WindowPageSource {
  /** Up to `maxPageSize` records of one month, newest first, after `afterRowKey` and up to `upToRowKey`. */
  windowPage(
    partition: string,
    afterRowKey: string | undefined,
    upToRowKey: string,
    maxPageSize: number,
  ): Promise<{ records: LeadRecord[]; lastRowKey?: string; more: boolean }>;
}

// Table Storage's largest page: with the key range bounded, a page holds only the window's rows anyway.
const PAGE_SIZE = 1000;
const MAX_EMPTY_PAGES = 3;

export async function recordsMintedSince(source: WindowPageSource, since: Date, now: Date): Promise<LeadRecord[]> {
  // The key of the first id minted at `since`: every id minted at or after it has this key or a smaller one.
  const upTo = rowKeyAfterTime(since.getTime() - 1);
  const records: LeadRecord[] = [];
  const oldest = monthOf(since.getTime());
  for (let month = monthOf(now.getTime() + CLOCK_SKEW_MS); month >= oldest; month = previousMonth(month)) {
    let after: string | undefined;
    let emptyPages = 0;
    for (;;) {
      const page = await source.windowPage(month, after, upTo, PAGE_SIZE);
      records.push(...page.records);
      if (!page.more) break;
      // Storage may answer an empty page that still says "more" (a server-side timeout); endless is a bug.
      emptyPages = page.records.length === 0 ? emptyPages + 1 : 0;
      if (emptyPages > MAX_EMPTY_PAGES) throw new Error(`Partition ${month} keeps returning empty pages`);
      after = page.lastRowKey ?? after;
    }
  }
  return records;
}
