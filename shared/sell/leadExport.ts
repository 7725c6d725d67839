/**
 * `GET /api/leads/export.csv`: the body is a Readable pulling CSV lines from the matching leads as it is consumed
 * (matchingLeads.ts: the search index or a walk of the listing), so this code holds one storage page at a time
 * whatever the table size. The host relays it as written because index.ts switches HTTP streaming on; see
 * docs/api.md for what the library does not do (wait for a slow client).
 */
import { Readable } from 'node:stream';

import type { HttpAnswer } from '../http/answer';
import type { LeadRecord } from '../record/model';
import { type CsvColumn, csvLines } from './csv';
import { LEAD_COLUMNS } from './leadCsv';
import type { LeadFilters } from './leadQuery';
import type { LeadPageSource } from './leadWalk';
import { allMatchingLeads } from './matchingLeads';
import type { SearchSource } from './search/searchLeads';

async function* utf8(lines: AsyncIterable<string>): AsyncGenerator<Buffer, void, undefined> {
  for await (const line of lines) yield Buffer.from(line, 'utf8');
}

/** `moreColumns` follow the fixed ones (the nurture columns, which depend on the settings). */
export function csvExportResponse(
  source: LeadPageSource & { search?: SearchSource },
  filters: LeadFilters,
  now: Date,
  moreColumns: readonly CsvColumn<LeadRecord>[] = [],
): HttpAnswer {
  const columns = [...LEAD_COLUMNS, ...moreColumns];
  const body = Readable.from(utf8(csvLines(columns, allMatchingLeads(source, filters, now))), {
    objectMode: false,
  });
  const stamp = now.toISOString().slice(0, 10);
  return {
    status: 200,
    body,
    headers: {
      'content-type': 'text/csv; charset=utf-8; header=present',
      'content-disposition': `attachment; filename="leads-${stamp}.csv"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  };
}
