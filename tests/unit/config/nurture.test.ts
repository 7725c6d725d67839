import type { Checked, SettingProblem } from '../../../shared/config/checked';
import {
  DEFAULT_CADENCE_DAYS,
  DEFAULT_CRITERIA,
  DEFAULT_DISQUALIFY_REASONS,
  readNurture,
  readQualification,
  readTrials,
} from '../../../shared/config/nurture';

function problems<T>(checked: Checked<T>): SettingProblem[] {
  return checked.ok ? [] : checked.problems;
}

function value<T>(checked: Checked<T>): T {
  if (!checked.ok) throw new Error(checked.problems.map((p) => p.message).join('; '));
  return checked.value;
}

describe('NURTURE_CADENCE_DAYS', () => {
  test('defaults to 2,5,10; takes ascending whole days; "off" turns it off', () => {
    expect(value(readNurture({}))).toEqual({ cadenceDays: [...DEFAULT_CADENCE_DAYS] });
    expect(DEFAULT_CADENCE_DAYS).toEqual([2, 5, 10]);
    expect(value(readNurture({ NURTURE_CADENCE_DAYS: ' 1, 3 ,7,14 ' }))).toEqual({ cadenceDays: [1, 3, 7, 14] });
    expect(value(readNurture({ NURTURE_CADENCE_DAYS: 'OFF' }))).toEqual({ cadenceDays: [] });
  });

  test.each(['5,2', '2,2', '0,3', '1.5', 'two', '2,,5', '91', '1,2,3,4,5,6,7,8,9,10,11'])(
    '"%s" is refused, naming it',
    (text) => {
      expect(problems(readNurture({ NURTURE_CADENCE_DAYS: text }))).toEqual([
        {
          settings: ['NURTURE_CADENCE_DAYS'],
          message: expect.stringContaining(`NURTURE_CADENCE_DAYS is "${text}": expected ascending whole days`),
        },
      ]);
    },
  );
});

describe('QUALIFICATION_CRITERIA and DISQUALIFY_REASONS', () => {
  test('default to budget, authority, need, timing and a list of common reasons', () => {
    expect(value(readQualification({}))).toEqual({
      criteria: DEFAULT_CRITERIA,
      disqualifyReasons: DEFAULT_DISQUALIFY_REASONS,
    });
    expect(DEFAULT_CRITERIA.map((c) => c.key)).toEqual(['budget', 'authority', 'need', 'timing']);
  });

  test('criteria: a JSON list of {key, label, description?}, labels cleaned', () => {
    const env = {
      QUALIFICATION_CRITERIA: JSON.stringify([
        { key: 'budget', label: ' Budget\u200b approved ' },
        { key: 'use-case', label: 'Use case', description: 'A workload we run well' },
      ]),
    };
    expect(value(readQualification(env)).criteria).toEqual([
      { key: 'budget', label: 'Budget approved' },
      { key: 'use-case', label: 'Use case', description: 'A workload we run well' },
    ]);
    expect(value(readQualification({ QUALIFICATION_CRITERIA: '[]' })).criteria).toEqual([]);
  });

  test.each([
    ['not JSON', '[{key', 'QUALIFICATION_CRITERIA is not JSON'],
    ['not a list', '{"budget": "Budget"}', 'must be a JSON list'],
    ['a bare string', '["Budget"]', 'QUALIFICATION_CRITERIA[0] must be an object'],
    ['a bad key', '[{"key": "1st", "label": "x"}]', 'QUALIFICATION_CRITERIA[0].key must be'],
    ['no label', '[{"key": "a"}]', 'QUALIFICATION_CRITERIA[0].label must be a text of 1 to 100'],
    ['a key twice', '[{"key": "a", "label": "x"}, {"key": "A", "label": "y"}]', '.key "A" is used twice'],
    ['an unknown field', '[{"key": "a", "label": "x", "weight": 2}]', 'has "weight"'],
    ['a long description', `[{"key": "a", "label": "x", "description": "${'d'.repeat(501)}"}]`, 'description must'],
  ])('criteria: %s is refused, naming the setting', (_, text, message) => {
    const found = problems(readQualification({ QUALIFICATION_CRITERIA: text }));
    expect(found).toContainEqual({ settings: ['QUALIFICATION_CRITERIA'], message: expect.stringContaining(message) });
  });

  test('reasons: a JSON list or a comma list', () => {
    expect(value(readQualification({ DISQUALIFY_REASONS: 'No budget, Competitor ,Spam' })).disqualifyReasons).toEqual([
      'No budget',
      'Competitor',
      'Spam',
    ]);
    expect(
      value(readQualification({ DISQUALIFY_REASONS: '["Too small, for now", "Spam"]' })).disqualifyReasons,
    ).toEqual(['Too small, for now', 'Spam']);
  });

  test.each([
    ['an empty entry', 'No budget,,Spam', 'DISQUALIFY_REASONS[1] must be a text'],
    ['a reason twice', 'Spam, spam', 'names "spam" twice'],
    ['an empty list', '[]', 'must name 1 to 30 reasons'],
    ['not a list', '[1, 2', 'DISQUALIFY_REASONS is not JSON'],
    ['a number', '[1]', 'DISQUALIFY_REASONS[0] must be a text'],
  ])('reasons: %s is refused, naming the setting', (_, text, message) => {
    expect(problems(readQualification({ DISQUALIFY_REASONS: text }))).toContainEqual({
      settings: ['DISQUALIFY_REASONS'],
      message: expect.stringContaining(message),
    });
  });
});

describe('OFFER_TRIAL_DAYS', () => {
  test('unset: no per-offer lengths, the defaults are 30 days for a free trial and 1 for a test drive', () => {
    expect(value(readTrials({}))).toEqual({
      offerTrialDays: new Map(),
      defaultTrialDays: { freeTrial: 30, testDrive: 1 },
    });
  });

  test('offer → days for both kinds, or per kind; keys lower-cased like REMINDER_ROUTES', () => {
    const env = { OFFER_TRIAL_DAYS: '{"Contoso.Widgets": 14, "Ledger Cloud": {"testDrive": 0.25}}' };
    expect(value(readTrials(env)).offerTrialDays).toEqual(
      new Map([
        ['contoso.widgets', { freeTrial: 14, testDrive: 14 }],
        ['ledger cloud', { testDrive: 0.25 }],
      ]),
    );
  });

  test.each([
    ['not JSON', '{a', 'OFFER_TRIAL_DAYS is not JSON'],
    ['a list', '[30]', 'must be a JSON object'],
    ['zero days', '{"a": 0}', 'OFFER_TRIAL_DAYS["a"] must be a number of days above 0'],
    ['a text', '{"a": "30"}', 'OFFER_TRIAL_DAYS["a"] must be a number of days or'],
    ['an unknown kind', '{"a": {"trial": 3}}', 'has "trial": expected freeTrial or testDrive'],
    ['too long', '{"a": {"freeTrial": 366}}', 'OFFER_TRIAL_DAYS["a"].freeTrial must be'],
  ])('%s is refused, naming the setting', (_, text, message) => {
    expect(problems(readTrials({ OFFER_TRIAL_DAYS: text }))).toContainEqual({
      settings: ['OFFER_TRIAL_DAYS'],
      message: expect.stringContaining(message),
    });
  });
});
