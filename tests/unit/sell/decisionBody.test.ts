import { DEFAULT_CRITERIA, type QualificationSettings } from '../../../shared/config/nurture';
import { currentDecision, type DecisionEvent } from '../../../shared/record/decisions';
import { parseDecisionUpdate } from '../../../shared/sell/decisionBody';

const SETTINGS: QualificationSettings = {
  criteria: DEFAULT_CRITERIA.map((c) => ({ ...c })),
  disqualifyReasons: ['No budget', 'Chose a competitor', 'Other'],
};
const parse = (body: unknown): ReturnType<typeof parseDecisionUpdate> =>
  parseDecisionUpdate(JSON.stringify(body), SETTINGS);

describe('qualify: answers to the configured criteria', () => {
  test('answers by key (any case), short or with a note; unanswered criteria are stored as unknown', () => {
    expect(
      parse({
        status: 'qualified',
        by: 'Ana',
        answers: { Budget: 'yes', need: { answer: 'yes', note: ' replaces\u200b spreadsheets ' }, timing: 'no' },
      }),
    ).toEqual({
      ok: true,
      update: {
        status: 'qualified',
        by: 'Ana',
        via: 'api',
        answers: {
          budget: { answer: 'yes' },
          authority: { answer: 'unknown' },
          need: { answer: 'yes', note: 'replaces spreadsheets' },
          timing: { answer: 'no' },
        },
      },
    });
  });

  test('an unknown criterion or answer is a 400 naming the field and the allowed values', () => {
    expect(parse({ status: 'qualified', answers: { bugdet: 'yes', need: 'maybe', timing: { note: 1 } } })).toEqual({
      ok: false,
      body: {
        error: 'invalid_request',
        message: expect.any(String),
        problems: [
          {
            field: 'answers.bugdet',
            rule: 'known',
            message: 'answers.bugdet is not a qualification criterion: expected one of budget, authority, need, timing',
            allowed: ['budget', 'authority', 'need', 'timing'],
          },
          {
            field: 'answers.need',
            rule: 'enum',
            message: 'answers.need must be one of yes, no, unknown',
            allowed: ['yes', 'no', 'unknown'],
          },
          {
            field: 'answers.timing.answer',
            rule: 'enum',
            message: 'answers.timing.answer must be one of yes, no, unknown',
            allowed: ['yes', 'no', 'unknown'],
          },
          { field: 'answers.timing.note', rule: 'type', message: 'answers.timing.note must be a string' },
        ],
      },
    });
    expect(parse({ status: 'qualified', answers: ['yes'] })).toMatchObject({
      ok: false,
      body: { problems: [{ field: 'answers', rule: 'type' }] },
    });
  });

  test('no answers at all: every criterion unknown (qualifying is never blocked by the form)', () => {
    expect(parse({ status: 'qualified' })).toMatchObject({
      ok: true,
      update: { answers: { budget: { answer: 'unknown' }, timing: { answer: 'unknown' } } },
    });
  });
});

describe('disqualify: a configured reason', () => {
  test('the reason is matched in any case and stored as configured', () => {
    expect(parse({ status: 'disqualified', reason: ' chose a COMPETITOR ', note: 'went with Fabrikam' })).toEqual({
      ok: true,
      update: { status: 'disqualified', reason: 'Chose a competitor', note: 'went with Fabrikam', via: 'api' },
    });
  });

  test('missing or unknown: a 400 listing the reasons', () => {
    expect(parse({ status: 'disqualified' })).toMatchObject({
      ok: false,
      body: {
        problems: [
          {
            field: 'reason',
            rule: 'required',
            message: 'reason is required to disqualify: one of No budget, Chose a competitor, Other',
            allowed: ['No budget', 'Chose a competitor', 'Other'],
          },
        ],
      },
    });
    expect(parse({ status: 'disqualified', reason: 'Too expensive' })).toMatchObject({
      ok: false,
      body: { problems: [{ field: 'reason', rule: 'enum', allowed: ['No budget', 'Chose a competitor', 'Other'] }] },
    });
  });
});

describe('the decision fields go with their status only', () => {
  test('answers without qualified and a reason without disqualified are refused', () => {
    expect(parse({ status: 'contacted', answers: { budget: 'yes' }, reason: 'Other' })).toMatchObject({
      ok: false,
      body: {
        problems: [
          { field: 'answers', rule: 'status' },
          { field: 'reason', rule: 'status' },
        ],
      },
    });
  });

  test('a bad status is reported alone, with the other fields checked as before', () => {
    expect(parse({ status: 'won', answers: { x: 'yes' }, by: 'y'.repeat(201) })).toMatchObject({
      ok: false,
      body: {
        problems: [
          { field: 'status', rule: 'enum' },
          { field: 'by', rule: 'maxLength' },
        ],
      },
    });
  });

  test('the body limit is larger than a plain status update, to fit answers with notes', () => {
    const note = '😀'.repeat(500);
    const many: QualificationSettings = {
      criteria: Array.from({ length: 20 }, (_, i) => ({ key: `c${i}`, label: `C${i}` })),
      disqualifyReasons: ['Other'],
    };
    const answers = Object.fromEntries(many.criteria.map((c) => [c.key, { answer: 'yes', note }]));
    expect(parseDecisionUpdate(JSON.stringify({ status: 'qualified', answers }), many).ok).toBe(true);
    expect(parseDecisionUpdate(' '.repeat(64 * 1024 + 1), many)).toMatchObject({
      ok: false,
      body: { problems: [{ field: 'body', rule: 'maxBytes' }] },
    });
  });
});

describe('the current decision of a history', () => {
  const T = (minute: number): string => new Date(Date.UTC(2026, 2, 14, 9, minute)).toISOString();
  const decision = (eventId: string, minute: number, extra: Partial<DecisionEvent>): DecisionEvent => ({
    kind: 'status',
    eventId,
    at: T(minute),
    status: 'contacted',
    via: 'api',
    ...extra,
  });

  test('the last applied status, with its answers or reason; none once taken back', () => {
    const qualified = decision('S1', 1, { status: 'qualified', by: 'Ana', answers: { budget: { answer: 'yes' } } });
    expect(currentDecision([qualified])).toEqual({
      status: 'qualified',
      at: T(1),
      by: 'Ana',
      answers: { budget: { answer: 'yes' } },
    });
    const disqualified = decision('S2', 2, { status: 'disqualified', reason: 'Other' });
    expect(currentDecision([disqualified, qualified])).toMatchObject({ status: 'disqualified', reason: 'Other' });
    expect(currentDecision([qualified, disqualified, decision('S3', 3, {})])).toBeUndefined();
    // A disqualification recorded before reasons existed has none; a qualification without answers has {}.
    expect(currentDecision([decision('S4', 4, { status: 'disqualified' })])).toMatchObject({ reason: undefined });
    expect(currentDecision([decision('S5', 5, { status: 'qualified' })])).toMatchObject({ answers: {} });
  });
});
