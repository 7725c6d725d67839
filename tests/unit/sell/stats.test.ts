import { computeStats, percentile } from '../../../shared/sell/stats';
import { record } from './records';

const NOW = new Date('2026-06-30T12:00:00.000Z');
const hoursBefore = (h: number): string => new Date(NOW.getTime() - h * 3_600_000).toISOString();
const plusHours = (iso: string, h: number): string => new Date(Date.parse(iso) + h * 3_600_000).toISOString();

describe('percentile', () => {
  test('interpolates between ranks (PERCENTILE.INC)', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1);
    expect(percentile([7], 0.9)).toBe(7);
  });
});

describe('computeStats on a known data set', () => {
  const seenA = hoursBefore(100);
  const seenB = hoursBefore(50);
  const seenC = hoursBefore(30);
  const data = [
    // Widgets: contacted after 2 h, 10 h, 30 h; one still new and 40 h old; one DNC.
    record({
      offerKey: 'contoso.widgets',
      firstSeenAt: seenA,
      status: 'contacted',
      stage: 'active',
      firstContactedAt: plusHours(seenA, 2),
    }),
    record({
      offerKey: 'contoso.widgets',
      firstSeenAt: seenB,
      status: 'qualified',
      stage: 'trial',
      firstContactedAt: plusHours(seenB, 10),
    }),
    record({
      offerKey: 'contoso.widgets',
      firstSeenAt: hoursBefore(80),
      status: 'disqualified',
      stage: 'interest',
      firstContactedAt: hoursBefore(50),
    }),
    record({ offerKey: 'contoso.widgets', firstSeenAt: hoursBefore(40), status: 'new', stage: 'interest' }),
    record({
      offerKey: 'contoso.widgets',
      firstSeenAt: hoursBefore(60),
      status: 'new',
      stage: 'doNotContact',
      doNotContact: true,
    }),
    // Gadgets: one young lead (5 h old) contacted after 1 h, one contacted after 4 h at 30 h old.
    record({
      offerKey: 'contoso.gadgets',
      offerTitle: 'Gadgets',
      firstSeenAt: hoursBefore(5),
      status: 'contacted',
      stage: 'trial',
      firstContactedAt: hoursBefore(4),
    }),
    record({
      offerKey: 'contoso.gadgets',
      offerTitle: 'Gadgets',
      firstSeenAt: seenC,
      status: 'contacted',
      stage: 'active',
      firstContactedAt: plusHours(seenC, 4),
    }),
    // Test leads count nowhere.
    record({
      offerKey: 'contoso.widgets',
      firstSeenAt: hoursBefore(1),
      isTest: true,
      status: 'contacted',
      firstContactedAt: hoursBefore(0),
    }),
  ];
  const stats = computeStats(data, NOW);

  test('overall counts by stage and status leave out test leads', () => {
    expect(stats.overall.total).toBe(7);
    expect(stats.overall.byStage).toEqual({ interest: 2, trial: 2, active: 2, doNotContact: 1 });
    expect(stats.overall.byStatus).toEqual({ new: 2, contacted: 3, qualified: 1, disqualified: 1 });
  });

  test('speed to lead: median and p90 of hours to first contact', () => {
    // Hours: 2, 10, 30, 1, 4 → sorted 1, 2, 4, 10, 30.
    expect(stats.overall.speedToLead).toMatchObject({ contacted: 5, medianHours: 4, p90Hours: 22 });
  });

  test('within 24 h counts only leads whose first 24 hours are over, never DNC', () => {
    // Eligible: seen ≥ 24 h ago and not DNC: A(2 h ✓), B(10 h ✓), 80h-old(30 h ✗), 40h-old new(✗), C(4 h ✓) = 3 of 5.
    expect(stats.overall.speedToLead.within24h).toEqual({ eligible: 5, contacted: 3, share: 0.6 });
  });

  test('per offer, busiest first, with the title when one is known', () => {
    expect(stats.offers.map((o) => [o.offerKey, o.offerTitle, o.total])).toEqual([
      ['contoso.widgets', 'Widgets', 5],
      ['contoso.gadgets', 'Gadgets', 2],
    ]);
    const gadgets = stats.offers[1]!;
    expect(gadgets.speedToLead).toMatchObject({
      contacted: 2,
      medianHours: 2.5,
      within24h: { eligible: 1, contacted: 1, share: 1 },
    });
  });

  test('leads per day: 30 UTC days ending today, counted by first seen', () => {
    const days = stats.overall.perDay;
    expect(days).toHaveLength(30);
    expect(days[29]!.date).toBe('2026-06-30');
    expect(days[0]!.date).toBe('2026-06-01');
    expect(days.reduce((s, d) => s + d.count, 0)).toBe(7);
    const count = (date: string): number => days.find((d) => d.date === date)?.count ?? -1;
    // hoursBefore(5) and (30) → 06-30 07:00 and 06-29 06:00; 40 → 06-28 20:00; 50 → 06-28 10:00; 60 → 06-28 00:00.
    expect(count('2026-06-30')).toBe(1);
    expect(count('2026-06-29')).toBe(1);
    expect(count('2026-06-28')).toBe(3);
  });

  test('no data gives zeros and nulls, not NaN', () => {
    const empty = computeStats([], NOW);
    expect(empty.overall.total).toBe(0);
    expect(empty.overall.speedToLead).toEqual({
      contacted: 0,
      medianHours: null,
      p90Hours: null,
      within24h: { eligible: 0, contacted: 0, share: null },
    });
    expect(empty.offers).toEqual([]);
  });
});
