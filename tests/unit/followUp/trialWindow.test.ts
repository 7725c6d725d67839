import { DEFAULT_TRIAL_DAYS, readTrials, type TrialSettings } from '../../../shared/config/nurture';
import {
  byTrialUrgency,
  trialDaysFor,
  trialKindOf,
  trialLabel,
  type TrialWindow,
  trialWindow,
} from '../../../shared/followUp/trialWindow';
import type { LeadActionKind, LeadSourceKind } from '../../../shared/marketplace/leadSource';
import { DAY_MS, HOUR_MS } from '../../../shared/time';

const START = Date.UTC(2026, 2, 2, 9, 0);
const T = (days: number): string => new Date(START + days * DAY_MS).toISOString();
const DEFAULTS: TrialSettings = { offerTrialDays: new Map(), defaultTrialDays: { ...DEFAULT_TRIAL_DAYS } };
const OFFER = { publisherId: 'contoso', offerId: 'widgets', offerTitle: 'Widget Suite' };

const arrival = (days: number, action: LeadActionKind, source: LeadSourceKind = 'AzureMarketplace') => ({
  at: T(days),
  action,
  source,
});

function settings(json: string): TrialSettings {
  const read = readTrials({ OFFER_TRIAL_DAYS: json });
  if (!read.ok) throw new Error(read.problems.map((p) => p.message).join('; '));
  return read.value;
}

describe('trial kinds', () => {
  test('Trial is a free trial; StartTestDrive, or the TestDrive source without a known action, a test drive', () => {
    expect(trialKindOf({ action: 'Trial', source: 'AppSource' })).toBe('freeTrial');
    expect(trialKindOf({ action: 'StartTestDrive', source: 'AzureMarketplace' })).toBe('testDrive');
    expect(trialKindOf({ action: 'Unknown', source: 'TestDrive' })).toBe('testDrive');
    for (const action of ['PLT', 'INS', 'Create', 'DNC', 'Unknown'] as const) {
      expect(trialKindOf({ action, source: 'AzureMarketplace' })).toBeUndefined();
    }
  });
});

describe('trial length', () => {
  test('defaults: 30 days for a free trial, 1 day for a test drive', () => {
    expect(trialDaysFor(OFFER, 'freeTrial', DEFAULTS)).toBe(30);
    expect(trialDaysFor(OFFER, 'testDrive', DEFAULTS)).toBe(1);
  });

  test('per offer, matched like REMINDER_ROUTES: publisher.offer, then the id, then the title', () => {
    const s = settings('{"Contoso.Widgets": {"freeTrial": 14}, "widgets": 7, "Widget Suite": {"testDrive": 0.5}}');
    expect(trialDaysFor(OFFER, 'freeTrial', s)).toBe(14);
    // The qualified key says nothing of test drives: the next key that does wins.
    expect(trialDaysFor(OFFER, 'testDrive', s)).toBe(7);
    expect(trialDaysFor({ offerTitle: 'WIDGET SUITE' }, 'testDrive', s)).toBe(0.5);
    expect(trialDaysFor({ offerTitle: 'Other' }, 'freeTrial', s)).toBe(30);
  });
});

describe('the trial window', () => {
  test('starts when the trial lead arrived; no trial lead, no window', () => {
    expect(trialWindow([arrival(0, 'PLT'), arrival(1, 'Trial')], OFFER, DEFAULTS)).toEqual({
      kind: 'freeTrial',
      startedAt: T(1),
      endsAt: T(31),
    });
    expect(trialWindow([arrival(0, 'PLT'), arrival(1, 'Create')], OFFER, DEFAULTS)).toBeUndefined();
  });

  test('of several trials the one ending last: a test drive during a running trial does not hide it', () => {
    const window = trialWindow([arrival(0, 'Trial'), arrival(5, 'StartTestDrive')], OFFER, DEFAULTS);
    expect(window).toEqual({ kind: 'freeTrial', startedAt: T(0), endsAt: T(30) });
    const later = trialWindow([arrival(0, 'StartTestDrive'), arrival(3, 'StartTestDrive')], OFFER, DEFAULTS);
    expect(later).toEqual({ kind: 'testDrive', startedAt: T(3), endsAt: T(4) });
  });
});

describe('labels', () => {
  const trial: TrialWindow = { kind: 'freeTrial', startedAt: T(0), endsAt: T(30) };
  const at = (days: number): Date => new Date(START + days * DAY_MS);

  test.each([
    [0, 'trial ends in 30 days'],
    [27.5, 'trial ends in 2 days'],
    [28.9, 'trial ends in 1 day'],
    [29.2, 'trial ends today'],
    [30, 'trial ended today'],
    [30.9, 'trial ended today'],
    [31, 'trial ended 1 day ago'],
    [33.5, 'trial ended 3 days ago'],
  ])('%s days in: "%s"', (days, label) => {
    expect(trialLabel(trial, at(days))).toBe(label);
  });

  test('a test drive says so', () => {
    const drive: TrialWindow = { kind: 'testDrive', startedAt: T(0), endsAt: T(1) };
    expect(trialLabel(drive, new Date(START + 5 * HOUR_MS))).toBe('test drive ends today');
  });
});

describe('urgency order', () => {
  test('running trials ending soonest first, then ended ones (latest first), then leads without a trial', () => {
    const now = new Date(T(10));
    const leads = [
      { name: 'no trial' },
      { name: 'ended long ago', trial: { kind: 'freeTrial', startedAt: T(-40), endsAt: T(-10) } },
      { name: 'ends in 20 days', trial: { kind: 'freeTrial', startedAt: T(0), endsAt: T(30) } },
      { name: 'ended yesterday', trial: { kind: 'testDrive', startedAt: T(8), endsAt: T(9) } },
      { name: 'ends tomorrow', trial: { kind: 'freeTrial', startedAt: T(-19), endsAt: T(11) } },
      { name: 'no trial either' },
    ] as { name: string; trial?: TrialWindow }[];
    expect([...leads].sort(byTrialUrgency(now)).map((l) => l.name)).toEqual([
      'ends tomorrow',
      'ends in 20 days',
      'ended yesterday',
      'ended long ago',
      'no trial',
      'no trial either',
    ]);
  });
});
