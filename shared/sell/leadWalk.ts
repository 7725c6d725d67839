/**
 * Walks the Leads table newest first: month partitions from newest to oldest, and inside a month by row key
 * (an inverted ULID, so ascending keys are newest first). Time is served by the keys:
 *  - `since`: a record's id is minted when its first lead is processed, so its id time is never before its
 *    first-seen time; every row whose id time is before `since` can be skipped, and the walk stops at the first.
 *  - `until`: rows are read only from `RowKey gt <key of until + grace>`. The grace exists because first-seen can
 *    move *earlier* than the id time when a customer's older lead is processed late (queue retry, poison replay):
 *    such a record sits up to the grace after `until` in key order and is still found.
 * Everything else is decided per record (leadFilter.ts). The walk itself does no I/O: it drives a LeadPageSource.
 */
import { decodeTime, encodeTime } from 'ulid';

import { invertUlid, leadKeys } from '../record/keys';
import type { LeadRecord } from '../record/model';
import type { Position } from './continuation';

export interface LeadPageSource {
  /** The oldest month partition that holds any record; undefined when the table is empty or missing. */
  oldestPartition(): Promise<string | undefined>;
  /** Up to `maxPageSize` records of one month, newest first, after `afterRowKey`; `more` when the month has more. */
  page(
    partition: string,
    afterRowKey: string | undefined,
    maxPageSize: number,
  ): Promise<{ records: LeadRecord[]; more: boolean }>;
}

export interface TimeBounds {
  since?: Date;
  until?: Date;
}

export type WalkStep =
  /** About to query storage from `resume`: a consumer with no budget left stops here and hands out `resume`. */
  | { kind: 'query'; resume: Position }
  /** One row read; `resume` continues right after it. */
  | { kind: 'row'; record: LeadRecord; resume: Position };

export const UNTIL_GRACE_MS = 31 * 86_400_000;
// Instances' clocks differ by seconds; a day of slack keeps a lead minted "next month" at 23:59:59 in view.
export const CLOCK_SKEW_MS = 86_400_000;
const MAX_EMPTY_PAGES = 3;

export function monthOf(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function previousMonth(partition: string): string {
  const year = Number(partition.slice(0, 4));
  const month = Number(partition.slice(4, 6));
  return month === 1 ? `${year - 1}12` : `${year}${String(month - 1).padStart(2, '0')}`;
}

/** Row keys greater than this belong to ids minted at or before `ms`. */
export function rowKeyAfterTime(ms: number): string {
  return invertUlid(`${encodeTime(ms + 1)}${'0'.repeat(16)}`);
}

const maxKey = (a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined ? b : b === undefined ? a : a > b ? a : b;

export async function* walkLeads(
  source: LeadPageSource,
  bounds: TimeBounds,
  start: Position | undefined,
  now: Date,
  pageSize: () => number,
): AsyncGenerator<WalkStep, void, undefined> {
  const oldest = await source.oldestPartition();
  if (oldest === undefined) return;
  const keyUntil = bounds.until ? bounds.until.getTime() + UNTIL_GRACE_MS : undefined;
  const upper = monthOf(Math.min(keyUntil ?? Infinity, now.getTime() + CLOCK_SKEW_MS));
  const sinceMs = bounds.since?.getTime();
  const lower = sinceMs !== undefined && monthOf(sinceMs) > oldest ? monthOf(sinceMs) : oldest;
  const untilKey = keyUntil !== undefined ? rowKeyAfterTime(keyUntil) : undefined;

  let partition = start?.partition ?? upper;
  let after = start?.afterRowKey;
  let emptyPages = 0;
  while (partition >= lower) {
    const from = maxKey(after, untilKey);
    yield { kind: 'query', resume: from === undefined ? { partition } : { partition, afterRowKey: from } };
    const { records, more } = await source.page(partition, from, pageSize());
    for (const record of records) {
      const rowKey = leadKeys(record.leadId).rowKey;
      if (sinceMs !== undefined && decodeTime(record.leadId) < sinceMs) return;
      yield { kind: 'row', record, resume: { partition, afterRowKey: rowKey } };
      after = rowKey;
    }
    // Storage may answer an empty page that still says "more" (a server-side timeout); a few are normal, endless is a bug.
    emptyPages = records.length === 0 && more ? emptyPages + 1 : 0;
    if (emptyPages > MAX_EMPTY_PAGES) throw new Error(`Partition ${partition} keeps returning empty pages`);
    if (!more) {
      partition = previousMonth(partition);
      after = undefined;
    }
  }
}
