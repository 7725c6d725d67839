import type { LeadRecord } from '../../../shared/record/model';
import type { LeadFilters } from '../../../shared/sell/leadQuery';
import { rowKeyAfterTime, UNTIL_GRACE_MS } from '../../../shared/sell/leadWalk';
import { listLeads, QUERY_BUDGET, SCAN_BUDGET } from '../../../shared/sell/listLeads';
import { listQuery as query, MemoryPages, record } from './records';

const NOW = new Date('2026-06-15T12:00:00.000Z');

async function everyPage(
  source: MemoryPages,
  filters: Partial<LeadFilters>,
  limit: number,
  now = NOW,
): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await listLeads(source, query(filters, limit, token), now);
    ids.push(...page.items.map((r) => r.leadId));
    token = page.continuation;
    pages++;
    if (pages > 1000) throw new Error('paging never ends');
  } while (token !== undefined);
  return { ids, pages };
}

const newestFirst = (records: readonly LeadRecord[]): string[] =>
  [...records].sort((a, b) => (a.leadId < b.leadId ? 1 : -1)).map((r) => r.leadId);

// 23 leads over March, April and June (May empty), several within one millisecond's neighbourhood.
const spread: LeadRecord[] = Array.from({ length: 23 }, (_, i) => {
  const month = [2, 3, 5][i % 3]!;
  return record({ at: new Date(Date.UTC(2026, month, 1 + (i % 9), i)).toISOString(), firstName: `Person${i}` });
});

describe('listLeads', () => {
  test('pages newest first across months and across continuation tokens, each lead exactly once', async () => {
    const source = new MemoryPages(spread);
    for (const limit of [1, 4, 5, 23, 50]) {
      const { ids } = await everyPage(source, {}, limit);
      expect(ids).toEqual(newestFirst(spread));
    }
  });

  test('a page holds at most limit leads and says where to go on', async () => {
    const page = await listLeads(new MemoryPages(spread), query({}, 5), NOW);
    expect(page.items).toHaveLength(5);
    expect(page.continuation).toEqual(expect.any(String));
    const last = await listLeads(new MemoryPages(spread), query({}, 50), NOW);
    expect(last.items).toHaveLength(23);
    expect(last.continuation).toBeUndefined();
  });

  test('an empty table is an empty page without a continuation', async () => {
    expect(await listLeads(new MemoryPages([]), query(), NOW)).toEqual({ items: [], scanned: 0 });
  });

  test('since is served by keys: older months are never read', async () => {
    const source = new MemoryPages(spread);
    const { ids } = await everyPage(source, { since: new Date('2026-04-01T00:00:00Z') }, 50);
    expect(ids).toEqual(newestFirst(spread.filter((r) => r.firstSeenAt >= '2026-04-01')));
    expect(source.queries.every((q) => q.partition >= '202604')).toBe(true);
  });

  test('until is served by keys with a grace for leads whose first-seen moved earlier than their id', async () => {
    // Minted (id) on April 20 but first seen March 30: an older lead of the same customer was processed late.
    const moved = { ...record({ at: '2026-04-20T00:00:00.000Z' }), firstSeenAt: '2026-03-30T00:00:00.000Z' };
    const source = new MemoryPages([...spread, moved]);
    const until = new Date('2026-03-31T23:59:59.999Z');
    const { ids } = await everyPage(source, { until }, 50);
    expect(ids).toContain(moved.leadId);
    expect(ids).toEqual(newestFirst([...spread, moved].filter((r) => Date.parse(r.firstSeenAt) <= until.getTime())));
    // Rows minted after until + grace are skipped by the key, not read and dropped.
    expect(source.queries[0]).toMatchObject({
      partition: '202605',
      afterRowKey: rowKeyAfterTime(until.getTime() + UNTIL_GRACE_MS),
    });
  });

  test('scan filters are applied per record, and a fruitless scan is bounded and resumable', async () => {
    const many = Array.from({ length: 5000 }, (_, i) =>
      record({
        at: new Date(Date.UTC(2026, 5, 1) + i * 60_000).toISOString(),
        status: i % 1000 === 7 ? 'qualified' : 'new',
      }),
    );
    const source = new MemoryPages(many);
    const first = await listLeads(source, query({ statuses: ['qualified'] }, 50), NOW);
    expect(first.scanned).toBeLessThanOrEqual(SCAN_BUDGET);
    expect(first.continuation).toEqual(expect.any(String));
    const { ids } = await everyPage(source, { statuses: ['qualified'] }, 50);
    expect(ids).toEqual(newestFirst(many.filter((r) => r.status === 'qualified')));
    expect(ids).toHaveLength(5);
  });

  test('test leads are skipped by default and listed on request', async () => {
    const withTest = [...spread, record({ at: '2026-06-10T00:00:00Z', isTest: true })];
    expect((await everyPage(new MemoryPages(withTest), {}, 50)).ids).toHaveLength(23);
    expect((await everyPage(new MemoryPages(withTest), { includeTest: true }, 50)).ids).toHaveLength(24);
  });

  test('years of empty months cost at most QUERY_BUDGET queries per page', async () => {
    const sparse = [record({ at: '2016-01-05T00:00:00Z' }), record({ at: '2026-06-01T00:00:00Z' })];
    const source = new MemoryPages(sparse);
    const first = await listLeads(source, query({}, 50), NOW);
    expect(source.queries.length).toBeLessThanOrEqual(QUERY_BUDGET);
    expect(first.continuation).toEqual(expect.any(String));
    expect((await everyPage(new MemoryPages(sparse), {}, 50)).ids).toEqual(newestFirst(sparse));
  });

  test("leads minted a moment in the future (another instance's clock) are not missed", async () => {
    const ahead = record({ at: '2026-07-01T00:00:01.000Z' });
    const { ids } = await everyPage(new MemoryPages([ahead]), {}, 50, new Date('2026-06-30T23:59:59.000Z'));
    expect(ids).toEqual([ahead.leadId]);
  });
});
