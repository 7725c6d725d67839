/**
 * The search index against the walk it replaces: for any records and any `q` or status filter, the pages served
 * from the index hold the same leads in the same order as the walk's pages, and the index never misses a lead the
 * `q` rules match (the property below draws names, accents, scripts and punctuation).
 */
import fc from 'fast-check';
import { ulid } from 'ulid';

import type { LeadRecord, LeadStatus } from '../../../shared/record/model';
import { matchesText } from '../../../shared/sell/leadFilter';
import type { LeadFilters } from '../../../shared/sell/leadQuery';
import { listLeads, QUERY_BUDGET } from '../../../shared/sell/listLeads';
import { searchKeys, textRanges } from '../../../shared/sell/search/searchKeys';
import { searchLeads, TEXT_LIMIT } from '../../../shared/sell/search/searchLeads';
import { inRange, listQuery as query, MemoryPages, MemorySearch, record } from './records';

const NOW = new Date('2026-06-15T12:00:00.000Z');

/** Every page's ids, following continuations; with `search`, pages the index serves. */
async function everyPage(
  records: readonly LeadRecord[],
  filters: Partial<LeadFilters>,
  limit: number,
  search?: MemorySearch,
): Promise<string[]> {
  const source = Object.assign(new MemoryPages(records), search ? { search } : {});
  const ids: string[] = [];
  let token: string | undefined;
  for (let pages = 0; ; pages++) {
    if (pages > 500) throw new Error('paging never ends');
    const page = await listLeads(source, query(filters, limit, token), NOW);
    ids.push(...page.items.map((r) => r.leadId));
    token = page.continuation;
    if (token === undefined) return ids;
  }
}

const STATUSES: LeadStatus[] = ['new', 'contacted', 'qualified', 'disqualified'];
const NAMES = [
  'Kowalski',
  'Kowalczyk',
  'Łukasz',
  'Lukas',
  'Nowak',
  'Øster',
  'Zoë',
  '王小明',
  'van der Berg',
  "O'Brien",
];

const people: LeadRecord[] = Array.from({ length: 60 }, (_, i) =>
  record({
    at: new Date(Date.UTC(2026, 2 + (i % 4), 1 + (i % 27), i % 24)).toISOString(),
    firstName: NAMES[(i * 7) % NAMES.length],
    lastName: NAMES[i % NAMES.length],
    company: i % 5 === 0 ? undefined : `Firm ${NAMES[(i * 3) % NAMES.length]} Ltd`,
    email: i % 6 === 0 ? undefined : `p${i}.${i % 2 === 0 ? 'kow' : 'now'}@Example${i % 3}.com`,
    status: STATUSES[i % 4],
    isTest: i % 13 === 0,
    offerKey: i % 2 === 0 ? 'contoso.widgets' : 'contoso.gadgets',
  }),
);

describe('searchLeads', () => {
  test.each([
    [{ q: 'kowal' }],
    [{ q: 'lukasz' }],
    [{ q: 'LUK' }],
    [{ q: 'zoe' }],
    [{ q: '王' }],
    [{ q: 'van der' }],
    [{ q: 'o brien' }],
    [{ q: 'firm nowak' }],
    [{ q: 'p1' }],
    [{ q: 'p14.kow@' }],
    [{ q: 'p3.now@example0' }],
    [{ q: 'kowal', statuses: ['new', 'qualified'] as LeadStatus[] }],
    [{ q: 'kowal', offer: 'contoso.gadgets', includeTest: true }],
    [{ statuses: ['new'] as LeadStatus[] }],
    [{ statuses: ['contacted', 'disqualified'] as LeadStatus[], includeTest: true }],
    [{ statuses: ['qualified'] as LeadStatus[], since: new Date('2026-04-01T00:00:00Z') }],
    [{ statuses: ['new'] as LeadStatus[], until: new Date('2026-04-10T00:00:00Z') }],
  ])('serves %j with the walk’s leads in the walk’s order, at every page size', async (filters) => {
    for (const limit of [1, 3, 7, 50]) {
      const walked = await everyPage(people, filters, limit);
      const search = new MemorySearch(people);
      expect(await everyPage(people, filters, limit, search)).toEqual(walked);
      expect(search.reads.ranges).toBeGreaterThan(0);
    }
    expect((await everyPage(people, filters, 50)).length).toBeGreaterThan(0);
  });

  test('reads only the leads the index proposes, not the listing', async () => {
    const search = new MemorySearch(people);
    const page = await searchLeads(search, query({ q: 'kowalc', includeTest: true }), NOW);
    const expected = people.filter((r) => matchesText(r, 'kowalc'));
    expect(page?.items.map((r) => r.leadId).sort()).toEqual(expected.map((r) => r.leadId).sort());
    expect(search.reads.listed).toBe(expected.length);
    // Text with an @ is an address: the name Nowak is not looked up.
    expect((await searchLeads(new MemorySearch(people), query({ q: 'nowak@' }), NOW))?.items).toEqual([]);
  });

  test('a status page reads each month’s candidates with one range read, a lone candidate with a point read', async () => {
    const april = Array.from({ length: 30 }, (_, i) =>
      record({ at: new Date(Date.UTC(2026, 3, 1 + i, 9)).toISOString(), status: i % 3 === 0 ? 'new' : 'qualified' }),
    );
    const may = record({ at: '2026-05-02T09:00:00.000Z', status: 'qualified' });
    const records = [...april, may];
    const search = new MemorySearch(records);
    const page = await searchLeads(search, query({ statuses: ['qualified'] }), NOW);
    expect(page?.items.map((r) => r.leadId)).toEqual(
      records
        .filter((r) => r.status === 'qualified')
        .map((r) => r.leadId)
        .reverse(),
    );
    expect(search.reads).toMatchObject({ listedRanges: 1, listed: 1 });
    // A text search's candidates are spread over the years: point reads, whatever the status filter.
    const text = new MemorySearch(records);
    await searchLeads(text, query({ q: records[0]!.lastName, statuses: ['qualified'] }), NOW);
    expect(text.reads.listedRanges).toBe(0);
  });

  test('a continuation from a walk page resumes in the index, and one from the index resumes in the walk', async () => {
    const filters = { statuses: ['new', 'contacted'] as LeadStatus[] };
    const all = await everyPage(people, filters, 50);
    const walkFirst = await listLeads(new MemoryPages(people), query(filters, 5), NOW);
    const indexFirst = await listLeads(
      Object.assign(new MemoryPages(people), { search: new MemorySearch(people) }),
      query(filters, 5),
      NOW,
    );
    const rest = async (token: string | undefined, search?: MemorySearch): Promise<string[]> => {
      const source = Object.assign(new MemoryPages(people), search ? { search } : {});
      return (await listLeads(source, query(filters, 100, token), NOW)).items.map((r) => r.leadId);
    };
    expect([
      ...walkFirst.items.map((r) => r.leadId),
      ...(await rest(walkFirst.continuation, new MemorySearch(people))),
    ]).toEqual(all);
    expect([...indexFirst.items.map((r) => r.leadId), ...(await rest(indexFirst.continuation))]).toEqual(all);
  });

  test('an index row the listing does not agree with (left by a crash) proposes a lead the check then skips', async () => {
    const renamed = people[0]!;
    const stale = searchKeys({ ...renamed, lastName: 'Oldname', status: 'disqualified' });
    const search = new MemorySearch(people, true, stale);
    expect((await searchLeads(search, query({ q: 'oldname' }), NOW))?.items).toEqual([]);
    const disqualified = await searchLeads(search, query({ statuses: ['disqualified'], includeTest: true }), NOW);
    expect(disqualified?.items.map((r) => r.leadId)).not.toContain(renamed.leadId);
  });

  test('the walk serves a store whose index is not built, a q that proposes too many leads, and a lone surrogate', async () => {
    expect(await searchLeads(new MemorySearch(people), query({ q: '\uD800' }), NOW)).toBeUndefined();
    expect(await searchLeads(new MemorySearch(people, false), query({ q: 'kowal' }), NOW)).toBeUndefined();
    const many = Array.from({ length: TEXT_LIMIT + 1 }, (_, i) =>
      record({ at: new Date(Date.UTC(2026, 3, 1, 0, 0, i)).toISOString(), lastName: `Kowal${i}` }),
    );
    expect(await searchLeads(new MemorySearch(many), query({ q: 'kowal' }), NOW)).toBeUndefined();
    expect(await searchLeads(new MemorySearch(many), query({ q: 'kowal1000' }), NOW)).toMatchObject({
      items: [expect.anything()],
    });
    expect(await searchLeads(new MemorySearch(people), query({ offer: 'contoso.widgets' }), NOW)).toBeUndefined();
  });

  test('never misses a lead the q rules match, whatever the names and the prefix', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 70 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.constantFrom(
        'Łukasz',
        'Ærøskøbing',
        'İstanbul',
        'straße',
        'Ǆemal',
        '王小明',
        'Ꮳherokee',
        'a\u0301b',
        '  -x-  ',
      ),
    );
    fc.assert(
      fc.property(
        fc.record({ firstName: text, lastName: text, company: text, email: text }),
        fc.constantFrom('firstName', 'lastName', 'company', 'email', 'full'),
        fc.nat({ max: 80 }),
        fc.boolean(),
        (fields, from, cut, upper) => {
          const r = record({ ...fields, leadId: ulid(Date.UTC(2026, 3, 1)) });
          const source = from === 'full' ? `${fields.firstName} ${fields.lastName}` : fields[from];
          const prefix = Array.from(source).slice(0, cut).join('');
          const q = (upper ? prefix.toUpperCase() : prefix).trim();
          if (q === '' || !matchesText(r, q)) return;
          const keys = searchKeys(r);
          const found = textRanges(q).some((range) => keys.some((k) => inRange(k, range)));
          expect(found).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('searchLeads budget', () => {
  test('a status found only years back answers in bounded pages that end with a continuation, and loses nothing', async () => {
    const months = Array.from({ length: 80 }, (_, i) =>
      record({ at: new Date(Date.UTC(2020, i, 3)).toISOString(), status: i === 0 ? 'disqualified' : 'contacted' }),
    );
    const search = new MemorySearch(months);
    const first = await searchLeads(search, query({ statuses: ['disqualified'] }), NOW);
    expect(first?.items).toEqual([]);
    expect(first?.continuation).toBeDefined();
    expect(search.reads.ranges).toBe(QUERY_BUDGET);
    expect(await everyPage(months, { statuses: ['disqualified'] }, 50, new MemorySearch(months))).toEqual([
      months[0]!.leadId,
    ]);
  });
});
