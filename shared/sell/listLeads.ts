/**
 * One page of `GET /api/leads`. A page costs at most SCAN_BUDGET rows read and QUERY_BUDGET storage queries,
 * whatever the filters, so a filter that matches nothing in a large table answers quickly with a continuation
 * instead of timing out: a page may therefore hold fewer than `limit` leads (even none) and still have a
 * continuation. Callers page until there is no continuation. A `q` or status filter is served from the search index
 * when the source has one (search/searchLeads.ts), with the same budget.
 */
import type { LeadRecord } from '../record/model';
import { encodeContinuation } from './continuation';
import { matchesFilters } from './leadFilter';
import type { LeadFilters, ListQuery } from './leadQuery';
import { type LeadPageSource, walkLeads } from './leadWalk';
import { MAX_STORAGE_PAGE, QUERY_BUDGET, SCAN_BUDGET } from './pageBudget';
import { searchLeads, type SearchSource } from './search/searchLeads';

export { QUERY_BUDGET, SCAN_BUDGET } from './pageBudget';

export interface LeadPage {
  items: LeadRecord[];
  continuation?: string;
  /** Rows read to build the page: lets a caller see why a page came back short. */
  scanned: number;
}

/** Filters that reject many rows: then reading big storage pages pays; otherwise read about what the page needs. */
function selective(filters: LeadFilters): boolean {
  return Boolean(filters.statuses || filters.stages || filters.sources || filters.offer || filters.q);
}

export async function listLeads(
  source: LeadPageSource & { search?: SearchSource },
  query: ListQuery,
  now: Date,
): Promise<LeadPage> {
  const found = source.search ? await searchLeads(source.search, query, now) : undefined;
  if (found) return found;
  const items: LeadRecord[] = [];
  let scanned = 0;
  let queries = 0;
  const pageSize = (): number => {
    const wanted = selective(query.filters) ? MAX_STORAGE_PAGE : query.limit - items.length + 1;
    return Math.max(1, Math.min(MAX_STORAGE_PAGE, SCAN_BUDGET - scanned, wanted));
  };
  for await (const step of walkLeads(source, query.filters, query.start, now, pageSize)) {
    if (step.kind === 'query') {
      if (queries >= QUERY_BUDGET || scanned >= SCAN_BUDGET)
        return { items, continuation: encodeContinuation(step.resume), scanned };
      queries++;
      continue;
    }
    scanned++;
    if (!matchesFilters(step.record, query.filters)) continue;
    items.push(step.record);
    if (items.length >= query.limit) return { items, continuation: encodeContinuation(step.resume), scanned };
  }
  return { items, scanned };
}
