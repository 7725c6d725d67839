/**
 * The export's leads against the walk: a `q` or status export served from the search index holds the walk's leads
 * in the walk's order, page after page (pages ending at their size, at their budget, or short with a position to
 * resume), with one page in memory; the walk serves what the index cannot, from the start or from where the index
 * stopped.
 */
import { leadKeys } from '../../../shared/record/keys';
import type { LeadRecord, LeadStatus } from '../../../shared/record/model';
import type { LeadFilters } from '../../../shared/sell/leadQuery';
import { allMatchingLeads } from '../../../shared/sell/matchingLeads';
import { MAX_STORAGE_PAGE, QUERY_BUDGET, SCAN_BUDGET } from '../../../shared/sell/pageBudget';
import { type KeyRange, textRanges } from '../../../shared/sell/search/searchKeys';
import { TEXT_LIMIT } from '../../../shared/sell/search/searchLeads';
import { MemoryPages, MemorySearch, record } from './records';

const NOW = new Date('2026-06-15T12:00:00.000Z');
const STATUSES: LeadStatus[] = ['new', 'contacted', 'qualified', 'disqualified'];
const SURNAMES = ['Kowalski', 'Kowalczyk', 'Nowak', 'Łęcka', 'Wiśniewska', 'Zieliński', 'Kamińska'];

/** The export's lead ids; with `search`, the source offers the index. */
async function exported(
  records: readonly LeadRecord[],
  filters: Partial<LeadFilters>,
  search?: MemorySearch,
): Promise<{ ids: string[]; walk: MemoryPages }> {
  const walk = new MemoryPages(records);
  const source = Object.assign(walk, search ? { search } : {});
  const ids: string[] = [];
  for await (const r of allMatchingLeads(source, { includeTest: false, ...filters }, NOW)) ids.push(r.leadId);
  return { ids, walk };
}

// 400 leads over 20 months up to this one.
const people: LeadRecord[] = Array.from({ length: 400 }, (_, i) =>
  record({
    at: new Date(Date.UTC(2024, 10 + (i % 20), 1 + (i % 14), i % 24, i % 60)).toISOString(),
    lastName: SURNAMES[i % SURNAMES.length],
    company: `Firma ${i % 9}`,
    email: `p${i}@example${i % 4}.com`,
    status: STATUSES[Math.floor(i / 3) % 4],
    isTest: i % 17 === 0,
    offerKey: i % 3 === 0 ? 'contoso.gadgets' : 'contoso.widgets',
  }),
);

describe('allMatchingLeads', () => {
  test.each([
    [{ q: 'kowal' }],
    [{ q: 'lecka', includeTest: true }],
    [{ q: 'firma 3', offer: 'contoso.gadgets' }],
    [{ q: 'p1' }],
    [{ q: 'p12@example0' }],
    [{ q: 'nowak', statuses: ['qualified', 'new'] as LeadStatus[] }],
    [{ statuses: ['qualified'] as LeadStatus[] }],
    [{ statuses: ['new', 'disqualified'] as LeadStatus[], includeTest: true }],
    [{ statuses: ['contacted'] as LeadStatus[], since: new Date('2025-06-01T00:00:00Z') }],
    [{ statuses: ['new'] as LeadStatus[], until: new Date('2025-09-10T00:00:00Z') }],
    [{ statuses: ['contacted'] as LeadStatus[], offer: 'contoso.gadgets' }],
  ])('exports %j from the index: the walk’s leads in the walk’s order, no listing page read', async (filters) => {
    const walked = (await exported(people, filters)).ids;
    const search = new MemorySearch(people);
    const { ids, walk } = await exported(people, filters, search);
    expect(ids).toEqual(walked);
    expect(ids.length).toBeGreaterThan(0);
    expect(walk.queries).toEqual([]);
    expect(search.reads.ready).toBe(1);
  });

  test('more matches than a page: pages follow each other with one page of leads read ahead of the reader', async () => {
    const many = Array.from({ length: 2600 }, (_, i) =>
      record({
        at: new Date(Date.UTC(2026, 2 + (i % 3), 1, 0, 0, i)).toISOString(),
        status: i % 13 === 0 ? 'new' : 'qualified',
      }),
    );
    const filters = { includeTest: false, statuses: ['qualified'] as LeadStatus[] };
    const walked = (await exported(many, filters)).ids;
    expect(walked.length).toBeGreaterThan(2 * MAX_STORAGE_PAGE);

    const search = new MemorySearch(many);
    const source = Object.assign(new MemoryPages(many), { search });
    const leads = allMatchingLeads(source, filters, NOW);
    const first = await leads.next();
    expect(first.value).toMatchObject({ leadId: walked[0] });
    expect(search.reads.records).toBeLessThanOrEqual(MAX_STORAGE_PAGE);
    const ids = [walked[0]];
    for await (const r of leads) ids.push(r.leadId);
    expect(ids).toEqual(walked);
    expect(source.queries).toEqual([]);
    expect(search.reads.ready).toBe(1);
  });

  test('pages that end short for their budget go on from where they stopped, and lose nothing', async () => {
    // One disqualified lead years back: each page spends its key queries on empty months and ends with a position.
    const months = Array.from({ length: 80 }, (_, i) =>
      record({ at: new Date(Date.UTC(2019, i, 3)).toISOString(), status: i === 0 ? 'disqualified' : 'contacted' }),
    );
    const sparse = new MemorySearch(months);
    const found = await exported(months, { statuses: ['disqualified'] }, sparse);
    expect(found.ids).toEqual([months[0]!.leadId]);
    expect(sparse.reads.ranges).toBeGreaterThan(QUERY_BUDGET);
    expect(found.walk.queries).toEqual([]);

    // Thousands of qualified leads of one offer, a few of another: pages end at their scan budget, nearly empty.
    const crowd = Array.from({ length: 3 * SCAN_BUDGET }, (_, i) =>
      record({
        at: new Date(Date.UTC(2026, 4, 1, 0, 0, i)).toISOString(),
        status: 'qualified',
        offerKey: i % 1500 === 7 ? 'contoso.gadgets' : 'contoso.widgets',
      }),
    );
    const filters = { statuses: ['qualified'] as LeadStatus[], offer: 'contoso.gadgets' };
    const walked = (await exported(crowd, filters)).ids;
    const crowded = new MemorySearch(crowd);
    const served = await exported(crowd, filters, crowded);
    expect(served.ids).toEqual(walked);
    expect(walked).toHaveLength(4);
    expect(crowded.reads.records).toBe(crowd.length);
    expect(served.walk.queries).toEqual([]);
  });

  test('a q matching exactly TEXT_LIMIT leads fills a page and ends on the next one', async () => {
    const kowals = Array.from({ length: TEXT_LIMIT }, (_, i) =>
      record({ at: new Date(Date.UTC(2026, 3, 1, 0, 0, i)).toISOString(), lastName: `Kowal${i}`, email: undefined }),
    );
    const search = new MemorySearch(kowals);
    const { ids, walk } = await exported(kowals, { q: 'kowal' }, search);
    expect(ids).toEqual((await exported(kowals, { q: 'kowal' })).ids);
    expect(ids).toHaveLength(TEXT_LIMIT);
    expect(walk.queries).toEqual([]);
    // Two pages, each reading the ranges of `q`: the second finds nothing after the first's last lead.
    expect(search.reads.ranges).toBe(2 * textRanges('kowal').length);
  });

  test('when the index stops serving part-way, the walk goes on from where it stopped', async () => {
    // Exactly TEXT_LIMIT matches fill the first page, which ends with a position; older leads do not match.
    const kowals = Array.from({ length: TEXT_LIMIT }, (_, i) =>
      record({ at: new Date(Date.UTC(2026, 3, 1, 0, 0, i)).toISOString(), lastName: `Kowal${i}`, email: undefined }),
    );
    const older = Array.from({ length: 30 }, (_, i) =>
      record({ at: new Date(Date.UTC(2026, 1, 1 + i)).toISOString(), lastName: 'Nowak', email: undefined }),
    );
    const all = [...kowals, ...older];
    // By the second page, leads arriving have taken `q` past TEXT_LIMIT: the index no longer serves it.
    class Crowding extends MemorySearch {
      override async keys(range: KeyRange, max: number): Promise<{ keys: string[]; more: boolean }> {
        const page = await super.keys(range, max);
        return this.reads.ranges > 2 ? { ...page, more: true } : page;
      }
    }
    const search = new Crowding(all);
    const { ids, walk } = await exported(all, { q: 'kowal' }, search);
    expect(ids).toEqual((await exported(all, { q: 'kowal' })).ids);
    expect(new Set(ids).size).toBe(TEXT_LIMIT);
    expect(search.reads.records).toBe(TEXT_LIMIT);
    // The walk starts after the last lead the index handed out, not from the top.
    const oldest = leadKeys(kowals[0]!.leadId);
    expect(walk.queries[0]).toMatchObject({ partition: oldest.partitionKey, afterRowKey: oldest.rowKey });
    expect(walk.queries.map((q) => q.partition)).toEqual(['202604', '202603', '202602']);
  });

  test('a source without an index: the walk yields every matching lead newest first', async () => {
    const { ids, walk } = await exported(people, { q: 'kowal' });
    const kowals = people.filter((r) => !r.isTest && r.lastName?.startsWith('Kowal'));
    expect(kowals.length).toBeGreaterThan(50);
    expect(ids).toEqual(kowals.map((r) => r.leadId).sort((a, b) => (a < b ? 1 : -1)));
    expect(walk.queries.length).toBeGreaterThan(0);
  });

  test('asks once whether the index is built, and walks what it cannot serve', async () => {
    const many = Array.from({ length: TEXT_LIMIT + 1 }, (_, i) =>
      record({ at: new Date(Date.UTC(2026, 3, 1, 0, 0, i)).toISOString(), lastName: `Kowal${i}` }),
    );
    for (const [records, filters, search] of [
      [people, { q: 'kowal' }, new MemorySearch(people, false)],
      [people, { statuses: ['new'] }, new MemorySearch(people, false)],
      [many, { q: 'kowal' }, new MemorySearch(many)],
      [people, { q: '\uD800' }, new MemorySearch(people)],
    ] as const) {
      const walked = (await exported(records, filters)).ids;
      const { ids, walk } = await exported(records, filters, search);
      expect(ids).toEqual(walked);
      expect(walk.queries.length).toBeGreaterThan(0);
      expect(walk.queries[0]?.afterRowKey).toBeUndefined();
      expect(search.reads.ready).toBe(1);
    }
    // Filters the index does not hold: it is not even asked.
    const offerOnly = new MemorySearch(people);
    const { ids } = await exported(people, { offer: 'contoso.gadgets' }, offerOnly);
    expect(ids).toEqual((await exported(people, { offer: 'contoso.gadgets' })).ids);
    expect(offerOnly.reads).toMatchObject({ ready: 0, ranges: 0 });
  });
});
