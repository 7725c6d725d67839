import { ulid } from 'ulid';

import { leadKeys } from '../../../shared/record/keys';
import type { LeadRecord } from '../../../shared/record/model';
import { recordsMintedSince, type WindowPageSource } from '../../../shared/sell/mintedSince';
import { record } from './records';

const HOUR = 3_600_000;

/** Rows in Table Storage's order; answers the key range asked for, and notes each query. */
class WindowPages implements WindowPageSource {
  readonly queries: { partition: string; afterRowKey?: string }[] = [];
  private readonly rows: { pk: string; rk: string; record: LeadRecord }[];

  constructor(records: readonly LeadRecord[]) {
    this.rows = records
      .map((r) => ({ ...leadKeys(r.leadId), record: r }))
      .map(({ partitionKey: pk, rowKey: rk, record: r }) => ({ pk, rk, record: r }))
      .sort((a, b) => (a.pk < b.pk ? -1 : a.pk > b.pk ? 1 : a.rk < b.rk ? -1 : 1));
  }

  windowPage(partition: string, afterRowKey: string | undefined, upToRowKey: string, maxPageSize: number) {
    this.queries.push({ partition, ...(afterRowKey === undefined ? {} : { afterRowKey }) });
    const range = this.rows.filter(
      (r) => r.pk === partition && (afterRowKey === undefined || r.rk > afterRowKey) && r.rk <= upToRowKey,
    );
    const page = range.slice(0, maxPageSize);
    return Promise.resolve({
      records: page.map((r) => r.record),
      lastRowKey: page.at(-1)?.rk,
      more: range.length > maxPageSize,
    });
  }
}

const minted = (iso: string, firstSeenAt = iso): LeadRecord => ({
  ...record({ at: firstSeenAt }),
  leadId: ulid(Date.parse(iso)),
});

describe('records minted since', () => {
  test('across a month boundary: both months, by id time (not first seen), an id from a clock ahead included', async () => {
    const now = new Date('2026-04-01T05:00:00.000Z');
    const since = new Date(now.getTime() - 24 * HOUR);
    const inside = [
      minted('2026-03-31T05:00:00.000Z'),
      minted('2026-03-31T23:00:00.000Z', '2026-02-01T00:00:00.000Z'),
      minted('2026-04-01T04:59:00.000Z'),
      // An instance whose clock runs ahead minted this one.
      minted('2026-04-01T05:00:30.000Z'),
    ];
    const outside = [minted('2026-03-31T04:59:59.999Z'), minted('2026-03-20T00:00:00.000Z')];
    const source = new WindowPages([...inside, ...outside]);
    const got = await recordsMintedSince(source, since, now);
    expect(got.map((r) => r.leadId).sort()).toEqual(inside.map((r) => r.leadId).sort());
    expect(source.queries.map((q) => q.partition)).toEqual(['202604', '202603']);
  });

  test('a window larger than a page is read page by page, each row once', async () => {
    const now = new Date('2026-03-15T12:00:00.000Z');
    const many = Array.from({ length: 2500 }, (_, i) => minted(new Date(now.getTime() - i * 30_000).toISOString()));
    const source = new WindowPages([...many, minted('2026-03-01T00:00:00.000Z')]);
    const got = await recordsMintedSince(source, new Date(now.getTime() - 24 * HOUR), now);
    expect(new Set(got.map((r) => r.leadId)).size).toBe(2500);
    expect(got).toHaveLength(2500);
    expect(source.queries).toHaveLength(3);
  });
});
