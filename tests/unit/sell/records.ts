/** Lead records and an in-memory month-partitioned page source for the API's unit tests. */
import { ulid } from 'ulid';

import { leadKeys } from '../../../shared/record/keys';
import type { LeadRecord, LeadStatus } from '../../../shared/record/model';
import { decodeContinuation } from '../../../shared/sell/continuation';
import type { LeadFilters, ListQuery } from '../../../shared/sell/leadQuery';
import type { LeadPageSource } from '../../../shared/sell/leadWalk';
import { type KeyRange, type SearchKey, searchKeys } from '../../../shared/sell/search/searchKeys';
import type { SearchSource } from '../../../shared/sell/search/searchLeads';

/** A list query as the API parses it, resuming from `continuation` when given. */
export function listQuery(filters: Partial<LeadFilters> = {}, limit = 50, continuation?: string): ListQuery {
  const start = continuation === undefined ? undefined : decodeContinuation(continuation);
  if (start && !start.ok) throw new Error('bad token');
  return { filters: { includeTest: false, ...filters }, limit, ...(start ? { start: start.value } : {}) };
}

export function record(overrides: Partial<LeadRecord> & { at?: string } = {}): LeadRecord {
  const { at, ...rest } = overrides;
  const firstSeenAt = at ?? rest.firstSeenAt ?? '2026-03-10T10:00:00.000Z';
  return {
    leadId: ulid(Date.parse(firstSeenAt)),
    offerKey: 'contoso.widgets',
    offerId: 'widgets',
    publisherId: 'contoso',
    offerTitle: 'Widgets',
    identityKind: 'email',
    firstName: 'Jan',
    lastName: 'Kowalski',
    company: 'Fabrikam',
    email: 'Jan.Kowalski@Fabrikam.example',
    emailMatch: 'jan.kowalski@fabrikam.example',
    stage: 'interest',
    status: 'new',
    firstSeenAt,
    lastSeenAt: firstSeenAt,
    eventCount: 1,
    sources: ['AzureMarketplace'],
    lastAction: 'PLT',
    isTest: false,
    doNotContact: false,
    unrecognised: false,
    flags: [],
    ...rest,
  };
}

/** Rows sorted the way Table Storage sorts them (partition, then row key); counts the queries made. */
export class MemoryPages implements LeadPageSource {
  readonly queries: { partition: string; afterRowKey?: string; maxPageSize: number }[] = [];
  private readonly rows: { pk: string; rk: string; record: LeadRecord }[];

  constructor(records: readonly LeadRecord[]) {
    this.rows = records
      .map((record) => ({ pk: leadKeys(record.leadId).partitionKey, rk: leadKeys(record.leadId).rowKey, record }))
      .sort((a, b) => (a.pk < b.pk ? -1 : a.pk > b.pk ? 1 : a.rk < b.rk ? -1 : 1));
  }

  oldestPartition(): Promise<string | undefined> {
    return Promise.resolve(this.rows[0]?.pk);
  }

  page(
    partition: string,
    afterRowKey: string | undefined,
    maxPageSize: number,
  ): Promise<{ records: LeadRecord[]; more: boolean }> {
    this.queries.push({ partition, afterRowKey, maxPageSize });
    const inPartition = this.rows.filter(
      (r) => r.pk === partition && (afterRowKey === undefined || r.rk > afterRowKey),
    );
    const records = inPartition.slice(0, maxPageSize).map((r) => r.record);
    return Promise.resolve({ records, more: inPartition.length > maxPageSize });
  }
}

/** Whether a key lies in the range, by the rule Table Storage applies to the range's filter. */
export function inRange(key: SearchKey, range: KeyRange): boolean {
  const p = range.partition;
  const inPartition =
    'equal' in p ? key.partitionKey === p.equal : key.partitionKey >= p.from && key.partitionKey < p.below;
  const r = range.rows;
  return inPartition && ('from' in r ? key.rowKey >= r.from : key.rowKey > r.above) && key.rowKey < r.below;
}

/**
 * The search index over the same records, in Table Storage's order (partition, then row key; these keys are ASCII);
 * `extraKeys` are rows the index holds without the listing agreeing (left behind by a crash). Counts the key
 * queries, the listing reads and the records they return.
 */
export class MemorySearch implements SearchSource {
  readonly reads = { ready: 0, ranges: 0, listed: 0, listedRanges: 0, records: 0 };
  private readonly rows: SearchKey[];
  private readonly byId: Map<string, LeadRecord>;

  constructor(
    records: readonly LeadRecord[],
    private readonly built = true,
    extraKeys: readonly SearchKey[] = [],
  ) {
    const all = new Map(
      [...records.flatMap(searchKeys), ...extraKeys].map((k) => [`${k.partitionKey} ${k.rowKey}`, k]),
    );
    this.rows = [...all.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, k]) => k);
    this.byId = new Map(records.map((r) => [r.leadId, r]));
  }

  ready(): Promise<boolean> {
    this.reads.ready++;
    return Promise.resolve(this.built);
  }

  keys(range: KeyRange, max: number): Promise<{ keys: string[]; more: boolean }> {
    this.reads.ranges++;
    const found = this.rows.filter((k) => inRange(k, range)).map((k) => k.rowKey);
    return Promise.resolve({ keys: found.slice(0, max), more: found.length > max });
  }

  listed(leadId: string): Promise<LeadRecord | undefined> {
    this.reads.listed++;
    const found = this.byId.get(leadId);
    if (found) this.reads.records++;
    return Promise.resolve(found);
  }

  listedWithStatus(
    month: string,
    rows: { fromRowKey: string; upToRowKey: string },
    statuses: readonly LeadStatus[],
  ): Promise<Map<string, LeadRecord>> {
    this.reads.listedRanges++;
    const found = new Map<string, LeadRecord>();
    for (const record of this.byId.values()) {
      const { partitionKey, rowKey } = leadKeys(record.leadId);
      if (partitionKey === month && rowKey >= rows.fromRowKey && rowKey <= rows.upToRowKey)
        if (statuses.includes(record.status)) found.set(rowKey, record);
    }
    this.reads.records += found.size;
    return Promise.resolve(found);
  }

  oldestMonth(): Promise<string | undefined> {
    const months = [...this.byId.keys()].map((id) => leadKeys(id).partitionKey).sort();
    return Promise.resolve(months[0]);
  }
}
