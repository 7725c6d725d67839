import {
  decideSilence,
  DEFAULT_SILENCE_ALERT_DAYS,
  type LeadArrivals,
  observeArrival,
  type SilenceDecision,
  silenceRecipients,
  type SilenceState,
} from '../../../shared/ops/silence';

const START = Date.parse('2025-01-01T08:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (days: number): Date => new Date(START + days * DAY);

/**
 * A fixed clock walking a timeline hour by hour, checking as the reminder timer would and keeping the state the
 * way the caller must (the decision's `next`). Returns what was sent, by day.
 */
function run(
  leads: { day: number; isTest?: boolean }[],
  untilDay: number,
  days = DEFAULT_SILENCE_ALERT_DAYS,
): { day: number; decision: SilenceDecision }[] {
  let arrivals: LeadArrivals = {};
  let state: SilenceState = {};
  const sent: { day: number; decision: SilenceDecision }[] = [];
  for (let t = START; t <= START + untilDay * DAY; t += HOUR) {
    for (const lead of leads) {
      const leadAt = START + lead.day * DAY;
      if (leadAt > t - HOUR && leadAt <= t) {
        arrivals = observeArrival(arrivals, { at: new Date(leadAt).toISOString(), isTest: lead.isTest === true });
      }
    }
    const decision = decideSilence(arrivals, state, new Date(t), days);
    if (decision.action !== 'none') {
      sent.push({ day: (t - START) / DAY, decision });
      state = decision.next;
    }
  }
  return sent;
}

describe('the silence alarm on a timeline', () => {
  test('alarm once after 14 days, no repeat, "back" once, then a new silence alarms again', () => {
    const sent = run(
      [
        { day: 0 },
        { day: 1 },
        { day: 2 }, // then 14 days of silence: alarm at day 16, nothing more until…
        { day: 30 }, // …a lead: "back" once
        { day: 31 }, // then silence again: alarm at day 45
      ],
      60,
    );
    expect(sent.map((s) => [s.day, s.decision.action])).toEqual([
      [16, 'alarm'],
      [30, 'back'],
      [45, 'alarm'],
    ]);
    expect(sent[0]?.decision).toEqual({
      action: 'alarm',
      silentSince: at(2).toISOString(),
      days: 14,
      next: { alarm: { lastLeadAt: at(2).toISOString(), sentAt: at(16).toISOString() } },
    });
    expect(sent[1]?.decision).toEqual({
      action: 'back',
      silentSince: at(2).toISOString(),
      backAt: at(30).toISOString(),
      next: {},
    });
  });

  test('test leads neither end a silence nor start the clock', () => {
    const sent = run(
      [{ day: 0 }, { day: 5, isTest: true }, { day: 20, isTest: true }, { day: 25, isTest: true }, { day: 27 }],
      30,
    );
    expect(sent.map((s) => [s.day, s.decision.action])).toEqual([
      [14, 'alarm'],
      [27, 'back'],
    ]);
    expect(run([{ day: 0, isTest: true }], 30)).toEqual([]);
  });

  test('nothing before the first real lead: a new installation is not broken', () => {
    expect(run([], 40)).toEqual([]);
    expect(decideSilence({}, {}, at(100), 14)).toEqual({ action: 'none' });
  });

  test('SILENCE_ALERT_DAYS=0 turns it off', () => {
    expect(run([{ day: 0 }, { day: 50 }], 100, 0)).toEqual([]);
  });

  test('another number of days', () => {
    expect(run([{ day: 0 }], 10, 3).map((s) => [s.day, s.decision.action])).toEqual([[3, 'alarm']]);
  });

  test('leads back and silent again while nobody checked: "back", then a new alarm', () => {
    const state: SilenceState = { alarm: { lastLeadAt: at(0).toISOString(), sentAt: at(14).toISOString() } };
    const arrivals: LeadArrivals = { lastRealLeadAt: at(20).toISOString() };
    const back = decideSilence(arrivals, state, at(40), 14);
    expect(back.action).toBe('back');
    if (back.action !== 'back') return;
    expect(decideSilence(arrivals, back.next, at(40), 14)).toMatchObject({
      action: 'alarm',
      silentSince: at(20).toISOString(),
    });
  });

  test('a late-processed lead older than the silence does not end it', () => {
    const state: SilenceState = { alarm: { lastLeadAt: at(2).toISOString(), sentAt: at(16).toISOString() } };
    const arrivals = observeArrival(
      { lastRealLeadAt: at(2).toISOString() },
      { at: at(1).toISOString(), isTest: false },
    );
    expect(arrivals.lastRealLeadAt).toBe(at(2).toISOString());
    expect(decideSilence(arrivals, state, at(20), 14)).toEqual({ action: 'none' });
  });

  test('an arrival with an unreadable time changes nothing', () => {
    const arrivals: LeadArrivals = { lastRealLeadAt: at(2).toISOString() };
    expect(observeArrival(arrivals, { at: 'yesterday', isTest: false })).toBe(arrivals);
  });
});

describe('silenceRecipients', () => {
  const defaults = ['sales@contoso.com'];

  test('OPS_EMAIL first, with several addresses', () => {
    expect(
      silenceRecipients({
        opsEmail: 'ops@contoso.com; noc@contoso.com',
        escalationEmail: 'boss@contoso.com',
        defaultRecipients: defaults,
      }),
    ).toEqual(['ops@contoso.com', 'noc@contoso.com']);
  });

  test('then ESCALATION_EMAIL, then the default recipients', () => {
    expect(silenceRecipients({ escalationEmail: 'boss@contoso.com', defaultRecipients: defaults })).toEqual([
      'boss@contoso.com',
    ]);
    expect(silenceRecipients({ opsEmail: ' ', escalationEmail: '', defaultRecipients: defaults })).toEqual(defaults);
  });
});
