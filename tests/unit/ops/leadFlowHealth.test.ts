import { isoTime, leadFlowHealth } from '../../../shared/ops/leadFlowHealth';

describe('leadFlowHealth', () => {
  test('times, counts and the silence state', () => {
    expect(
      leadFlowHealth({
        lastRealLeadAt: '2025-03-01T14:03:00.000Z',
        lastTestLeadAt: new Date('2025-03-10T08:00:00Z'),
        poisonQueueDepth: 0,
        rejectedLeads: 3,
        silenceAlertDays: 14,
        silence: { alarm: { lastLeadAt: '2025-03-01T14:03:00.000Z', sentAt: '2025-03-15T15:00:00.000Z' } },
      }),
    ).toEqual({
      lastRealLeadAt: '2025-03-01T14:03:00.000Z',
      lastTestLeadAt: '2025-03-10T08:00:00.000Z',
      poisonQueueDepth: 0,
      rejectedLeads: 3,
      silence: {
        alertAfterDays: 14,
        alarmActive: true,
        silentSince: '2025-03-01T14:03:00.000Z',
        alarmSentAt: '2025-03-15T15:00:00.000Z',
      },
    });
  });

  test('nothing known yet', () => {
    expect(leadFlowHealth({ silenceAlertDays: 0 })).toEqual({
      lastRealLeadAt: null,
      lastTestLeadAt: null,
      poisonQueueDepth: null,
      rejectedLeads: null,
      silence: { alertAfterDays: 0, alarmActive: false, silentSince: null, alarmSentAt: null },
    });
  });

  test('whatever a caller passes by mistake, only names, times and counts come out', () => {
    const record = { leadId: '01J…', email: 'jan.kowalski@fabrikam.com', firstName: 'Jan', at: '2025-03-01T14:03:00Z' };
    const health = leadFlowHealth({
      lastRealLeadAt: record,
      lastTestLeadAt: 'jan.kowalski@fabrikam.com',
      poisonQueueDepth: '5 (jan.kowalski@fabrikam.com)',
      rejectedLeads: -1,
      silenceAlertDays: 'Jan',
      silence: {
        alarm: { lastLeadAt: 'Jan Kowalski, Fabrikam', sentAt: '2025-03-15T15:00:00+01:00 Jan' },
      },
    });
    const json = JSON.stringify(health);
    expect(json).not.toMatch(/jan|kowalski|fabrikam|@/i);
    expect(health).toEqual({
      lastRealLeadAt: null,
      lastTestLeadAt: null,
      poisonQueueDepth: null,
      rejectedLeads: null,
      silence: { alertAfterDays: 0, alarmActive: true, silentSince: null, alarmSentAt: null },
    });
    // Only these keys, at any depth.
    expect(Object.keys(health).sort()).toEqual([
      'lastRealLeadAt',
      'lastTestLeadAt',
      'poisonQueueDepth',
      'rejectedLeads',
      'silence',
    ]);
    expect(Object.keys(health.silence).sort()).toEqual(['alarmActive', 'alarmSentAt', 'alertAfterDays', 'silentSince']);
  });
});

describe('isoTime', () => {
  test.each([
    ['2025-03-01T14:03:00Z', '2025-03-01T14:03:00.000Z'],
    ['2025-03-01T15:03:00.123+01:00', '2025-03-01T14:03:00.123Z'],
    ['2025-03-01T14:03Z', '2025-03-01T14:03:00.000Z'],
  ])('%s → %s', (value, iso) => {
    expect(isoTime(value)).toBe(iso);
  });

  test.each(['2025-03-01', 'March 1, 2025', '2025-13-01T00:00:00Z', 'x2025-03-01T14:03:00Z', 1740837780000, null])(
    '%j is not a time',
    (value) => {
      expect(isoTime(value)).toBeNull();
    },
  );

  test('an invalid Date is not a time', () => {
    expect(isoTime(new Date('nonsense'))).toBeNull();
  });
});
