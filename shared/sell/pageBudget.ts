/**
 * What one page of `GET /api/leads` may cost, whether a walk of the listing or the search index serves it: a page
 * that reaches either bound ends there with a continuation, so a filter matching little answers quickly.
 */
export const SCAN_BUDGET = 2000;
export const QUERY_BUDGET = 50;
/** The most rows one storage query returns (Table Storage's page): also what the export holds at a time. */
export const MAX_STORAGE_PAGE = 1000;
