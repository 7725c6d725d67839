import { computeQualificationStats, type QualificationStatsInput } from '../../../shared/sell/qualificationStats';

const lead = (
  offerKey: string,
  status: QualificationStatsInput['status'],
  extra: Partial<QualificationStatsInput> = {},
) => ({ offerKey, status, isTest: false, ...extra }) satisfies QualificationStatsInput;

describe('qualification stats', () => {
  test('rate over decided records, reasons counted per offer and overall, test leads left out', () => {
    const stats = computeQualificationStats([
      lead('a', 'qualified', { offerTitle: 'Widgets' }),
      lead('a', 'qualified'),
      lead('a', 'disqualified', { disqualifyReason: 'No budget' }),
      lead('a', 'new'),
      lead('a', 'contacted'),
      lead('b', 'disqualified', { disqualifyReason: 'Other' }),
      lead('b', 'disqualified', { disqualifyReason: 'No budget' }),
      lead('b', 'disqualified', { disqualifyReason: 'No budget' }),
      lead('b', 'disqualified'),
      lead('b', 'qualified', { isTest: true }),
      lead('c', 'contacted'),
    ]);
    expect(stats.overall).toEqual({
      decided: 7,
      qualified: 2,
      disqualified: 5,
      qualificationRate: 0.29,
      reasons: [
        { reason: 'No budget', count: 3 },
        { reason: 'Other', count: 1 },
      ],
      withoutReason: 1,
    });
    expect(stats.offers).toEqual([
      {
        offerKey: 'b',
        decided: 4,
        qualified: 0,
        disqualified: 4,
        qualificationRate: 0,
        reasons: [
          { reason: 'No budget', count: 2 },
          { reason: 'Other', count: 1 },
        ],
        withoutReason: 1,
      },
      {
        offerKey: 'a',
        offerTitle: 'Widgets',
        decided: 3,
        qualified: 2,
        disqualified: 1,
        qualificationRate: 0.67,
        reasons: [{ reason: 'No budget', count: 1 }],
        withoutReason: 0,
      },
      {
        offerKey: 'c',
        decided: 0,
        qualified: 0,
        disqualified: 0,
        qualificationRate: null,
        reasons: [],
        withoutReason: 0,
      },
    ]);
  });

  test('nothing decided: no rate rather than 0', () => {
    expect(computeQualificationStats([]).overall.qualificationRate).toBeNull();
  });
});
