/**
 * A page of `GET /api/leads` served from the search index (searchKeys.ts) instead of a walk of the listing: for `q`
 * (names, companies, emails by prefix) and for a status filter. The export reads the same pages one after the other
 * (matchingLeads.ts), with bigger reads. The index only proposes leads; each is read from the
 * listing and checked against every filter, so the answer is the walk's answer, in the walk's order (newest first:
 * every index key ends with the inverted lead id, as a listing row key is), with a continuation either can resume.
 *
 * The index does not serve: a store whose index is not built yet (`npm run rebuild-search`), and a `q` so short
 * that it proposes more than TEXT_LIMIT leads. Both fall back to the walk, which finds such common matches quickly.
 */
import { decodeTime } from 'ulid';

import { invertUlid, leadKeys } from '../../record/keys';
import type { LeadRecord, LeadStatus } from '../../record/model';
import type { Position } from '../continuation';
import { encodeContinuation } from '../continuation';
import { matchesFilters } from '../leadFilter';
import type { LeadFilters, ListQuery } from '../leadQuery';
import { CLOCK_SKEW_MS, monthOf, previousMonth, rowKeyAfterTime, UNTIL_GRACE_MS } from '../leadWalk';
import type { LeadPage } from '../listLeads';
import { MAX_STORAGE_PAGE, QUERY_BUDGET, SCAN_BUDGET } from '../pageBudget';
import { invertedIdOf, type KeyRange, statusRange, textRanges } from './searchKeys';

export interface SearchSource {
  /** Whether every listed record is in the index. */
  ready(): Promise<boolean>;
  /** Up to `max` row keys of the range, in key order; `more` when the range holds more. */
  keys(range: KeyRange, max: number): Promise<{ keys: string[]; more: boolean }>;
  /** The record as the listing shows it; undefined when it is not listed. */
  listed(leadId: string): Promise<LeadRecord | undefined>;
  /**
   * The listed records of a month from one row key up to another (inclusive) that hold one of the statuses, by row
   * key (the inverted lead id): one range read instead of a point read per lead.
   */
  listedWithStatus(
    month: string,
    rows: { fromRowKey: string; upToRowKey: string },
    statuses: readonly LeadStatus[],
  ): Promise<Map<string, LeadRecord>>;
  /** The oldest month with a listed record (status entries are kept per month, as the listing is). */
  oldestMonth(): Promise<string | undefined>;
}

/** A `q` proposing more leads than this is served by the walk (its matches are dense there). */
export const TEXT_LIMIT = 1000;
// With the u flag a surrogate pair is one code point outside this range, so only a lone one matches.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
// A text search's candidates are point reads, this many side by side.
const CHECK_BATCH = 50;

/** What each storage call of a status search asks for. */
export interface StatusSizes {
  /** Keys per read of a status's range in a month. */
  keys: number;
  /** Candidates checked together: each month's run of them is one range read. */
  batch: number;
}

/** A list page: small reads, so a page of 50 is quick to come. */
const LIST_SIZES: StatusSizes = { keys: 200, batch: CHECK_BATCH };

/**
 * The export, which reads every match: a storage page per call. One key short of a page, so that one query says
 * whether the range holds more (searchTable.ts asks storage for one more than it needs). A batch spans at most
 * QUERY_BUDGET months (a key read each), so no more range reads than that run side by side.
 */
export const EXPORT_SIZES: StatusSizes = { keys: MAX_STORAGE_PAGE - 1, batch: MAX_STORAGE_PAGE };

/** The listing row key a position continues after: the same order the index keys end in. */
function resumeAfter(start: Position | undefined): string | undefined {
  if (start === undefined) return undefined;
  if (start.afterRowKey !== undefined) return start.afterRowKey;
  const year = Number(start.partition.slice(0, 4));
  const month = Number(start.partition.slice(4, 6));
  // A month position without a row starts at that month's newest row: after every id of later months.
  return rowKeyAfterTime(Date.UTC(year, month, 1) - 1);
}

/** The leads `q` proposes, newest first, after the position; undefined when `q` proposes too many. */
async function textCandidates(
  search: SearchSource,
  q: string,
  after: string | undefined,
): Promise<string[] | undefined> {
  // A lone surrogate has no UTF-8 bytes to look up (a URL cannot carry one; a caller in-process could): walk.
  if (LONE_SURROGATE.test(q)) return undefined;
  // The email range and the name range are independent: read side by side.
  const pages = await Promise.all(textRanges(q).map((range) => search.keys(range, TEXT_LIMIT)));
  if (pages.some((page) => page.more)) return undefined;
  const found = new Set(pages.flatMap((page) => page.keys.map(invertedIdOf)));
  return [...found].filter((key) => after === undefined || key > after).sort();
}

/** Where a candidate stream stopped for its query budget: the page ends there with a continuation. */
interface Resume {
  resume: Position;
}

/**
 * The leads holding one of the statuses, newest first, from the position on: month by month as the listing, the
 * statuses' ranges of a month merged in key order; months outside the time bounds are not read.
 */
async function* statusCandidates(
  search: SearchSource,
  filters: LeadFilters,
  start: Position | undefined,
  now: Date,
  keysPerRead: number,
): AsyncGenerator<string | Resume, void, undefined> {
  const oldest = await search.oldestMonth();
  if (oldest === undefined) return;
  const untilMs = filters.until ? filters.until.getTime() + UNTIL_GRACE_MS : Infinity;
  const newest = monthOf(Math.min(untilMs, now.getTime() + CLOCK_SKEW_MS));
  const sinceMonth = filters.since ? monthOf(filters.since.getTime()) : oldest;
  const lower = sinceMonth > oldest ? sinceMonth : oldest;
  let queries = 0;
  for (let month = start?.partition ?? newest; month >= lower; month = previousMonth(month)) {
    let after = month === start?.partition ? start.afterRowKey : undefined;
    const cursors = (filters.statuses ?? []).map((status) => ({ status, after, buffer: [] as string[], more: true }));
    for (;;) {
      for (const cursor of cursors) {
        if (cursor.buffer.length > 0 || !cursor.more) continue;
        if (queries++ >= QUERY_BUDGET) {
          yield { resume: after === undefined ? { partition: month } : { partition: month, afterRowKey: after } };
          return;
        }
        const page = await search.keys(statusRange(cursor.status, month, cursor.after), keysPerRead);
        cursor.buffer = page.keys.map(invertedIdOf);
        cursor.more = page.more && page.keys.length > 0;
        cursor.after = cursor.buffer.at(-1) ?? cursor.after;
      }
      // Every cursor that may hold more has a key buffered, so the smallest buffered key is the next in order.
      let next: (typeof cursors)[number] | undefined;
      for (const cursor of cursors) {
        const head = cursor.buffer[0];
        if (head !== undefined && (next === undefined || head < (next.buffer[0] ?? ''))) next = cursor;
      }
      const key = next?.buffer.shift();
      if (key === undefined) break;
      after = key;
      yield key;
    }
  }
}

/**
 * The listed records of candidates (inverted ids in key order), in that order. A status page's candidates are dense
 * in their months, so each month's run of them is one range read filtered by status; a lone candidate, and a text
 * search's (spread over the years), are point reads.
 */
async function readCandidates(
  search: SearchSource,
  keys: readonly string[],
  statuses: readonly LeadStatus[] | undefined,
): Promise<(LeadRecord | undefined)[]> {
  const runs: { month: string; keys: string[] }[] = [];
  for (const key of keys) {
    const month = leadKeys(invertUlid(key)).partitionKey;
    const run = runs.at(-1);
    if (statuses !== undefined && run?.month === month) run.keys.push(key);
    else runs.push({ month, keys: [key] });
  }
  const read = await Promise.all(
    runs.map(async ({ month, keys: run }): Promise<(LeadRecord | undefined)[]> => {
      const [first] = run;
      const last = run.at(-1);
      if (statuses === undefined || run.length === 1 || first === undefined || last === undefined)
        return Promise.all(run.map((key) => search.listed(invertUlid(key))));
      const found = await search.listedWithStatus(month, { fromRowKey: first, upToRowKey: last }, statuses);
      return run.map((key) => found.get(key));
    }),
  );
  return read.flat();
}

function positionOf(invertedId: string): Position {
  return { partition: leadKeys(invertUlid(invertedId)).partitionKey, afterRowKey: invertedId };
}

/** A page from the index: `resume` says where the next one starts when this one ended before the last match. */
export interface SearchPage {
  items: LeadRecord[];
  resume?: Position;
  scanned: number;
}

/** Filters the index can serve; anything else is walked. */
export function searchable(filters: LeadFilters): boolean {
  return filters.q !== undefined || filters.statuses !== undefined;
}

/**
 * A page from an index known to be built, or undefined when the index cannot serve this query (the caller walks the
 * listing from the same position). The budget of a list page bounds it (pageBudget.ts); with the export's sizes a
 * batch may take it past the scan budget by up to a batch.
 */
export async function searchFrom(
  search: SearchSource,
  query: ListQuery,
  now: Date,
  sizes: StatusSizes = LIST_SIZES,
): Promise<SearchPage | undefined> {
  const { filters } = query;
  if (!searchable(filters)) return undefined;
  const candidates =
    filters.q !== undefined
      ? await textCandidates(search, filters.q, resumeAfter(query.start))
      : statusCandidates(search, filters, query.start, now, sizes.keys);
  if (candidates === undefined) return undefined;
  const batchSize = filters.q !== undefined ? CHECK_BATCH : sizes.batch;

  const items: LeadRecord[] = [];
  let scanned = 0;
  let batch: string[] = [];
  const sinceMs = filters.since?.getTime();
  // Checks a batch in parallel (point reads), then hands out matches in order; a full page ends at its last lead.
  const check = async (): Promise<SearchPage | undefined> => {
    const records = await readCandidates(search, batch, filters.q === undefined ? filters.statuses : undefined);
    for (const [i, record] of records.entries()) {
      scanned++;
      if (record === undefined || !matchesFilters(record, filters)) continue;
      items.push(record);
      if (items.length >= query.limit) return { items, resume: positionOf(batch[i] as string), scanned };
    }
    const last = batch.at(-1);
    batch = [];
    if (last !== undefined && scanned >= SCAN_BUDGET) return { items, resume: positionOf(last), scanned };
    return undefined;
  };
  for await (const key of candidates) {
    if (typeof key !== 'string') return (await check()) ?? { items, resume: key.resume, scanned };
    // A record's id is minted no earlier than its first lead, so an id older than `since` ends the search.
    if (sinceMs !== undefined && decodeTime(invertUlid(key)) < sinceMs) break;
    batch.push(key);
    if (batch.length >= Math.min(batchSize, query.limit - items.length)) {
      const page = await check();
      if (page) return page;
    }
  }
  return (await check()) ?? { items, scanned };
}

/** A list page from the index, or undefined when the index cannot serve this query (the caller walks the listing). */
export async function searchLeads(search: SearchSource, query: ListQuery, now: Date): Promise<LeadPage | undefined> {
  if (!searchable(query.filters)) return undefined;
  if (!(await search.ready())) return undefined;
  const page = await searchFrom(search, query, now);
  if (page === undefined) return undefined;
  const { items, resume, scanned } = page;
  return resume === undefined ? { items, scanned } : { items, continuation: encodeContinuation(resume), scanned };
}
