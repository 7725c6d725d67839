/**
 * Every lead matching the export's filters, newest first, with one storage page (at most MAX_STORAGE_PAGE leads) in
 * memory at a time. A `q` or status export reads what the list reads: the search index (search/searchLeads.ts),
 * page after page, each page ending with the position the next one starts from (a page may end short, at the list's
 * budget); a status page reads keys and leads a storage page at a time where the list reads small (EXPORT_SIZES).
 * The rest, a `q` the index does not serve and a store whose index is not built walk the listing with no budget.
 *
 * Whether the index is built is asked once, at the start (the mark is never taken back while the app runs). The
 * index can still stop serving part-way: leads arriving during the export can take a `q` past TEXT_LIMIT. Then the
 * walk goes on from the position the last index page ended at; the index and the walk share positions
 * (continuation.ts) and order, so no lead is repeated or skipped.
 */
import type { LeadRecord } from '../record/model';
import type { Position } from './continuation';
import { matchesFilters } from './leadFilter';
import type { LeadFilters } from './leadQuery';
import { type LeadPageSource, walkLeads } from './leadWalk';
import { MAX_STORAGE_PAGE } from './pageBudget';
import { EXPORT_SIZES, searchable, searchFrom, type SearchSource } from './search/searchLeads';

export async function* allMatchingLeads(
  source: LeadPageSource & { search?: SearchSource },
  filters: LeadFilters,
  now: Date,
): AsyncGenerator<LeadRecord, void, undefined> {
  let start: Position | undefined;
  const { search } = source;
  if (search && searchable(filters) && (await search.ready())) {
    for (;;) {
      const page = await searchFrom(search, { filters, limit: MAX_STORAGE_PAGE, start }, now, EXPORT_SIZES);
      if (page === undefined) break;
      yield* page.items;
      if (page.resume === undefined) return;
      start = page.resume;
    }
  }
  for await (const step of walkLeads(source, filters, start, now, () => MAX_STORAGE_PAGE)) {
    if (step.kind === 'row' && matchesFilters(step.record, filters)) yield step.record;
  }
}
