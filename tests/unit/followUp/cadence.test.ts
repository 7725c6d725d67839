import {
  type CadencePlan,
  type CadenceRestartEvent,
  checkNurtureEntry,
  isStalled,
  type NurtureReminderEvent,
  nurtureReminderEvent,
  planCadence,
  sentNurtureSteps,
  wantedNurtureEntry,
} from '../../../shared/followUp/cadence';
import type { AttemptEvent, AttemptOutcome } from '../../../shared/record/attempts';
import type { LeadStatus, StatusChangeEvent } from '../../../shared/record/model';
import { DAY_MS, HOUR_MS } from '../../../shared/time';
import { arrival as arrivalEvent } from '../../support/events';

const START = Date.UTC(2026, 2, 2, 9, 0);
/** A time `days` after the lead arrived (fractions allowed). */
const T = (days: number): string => new Date(START + days * DAY_MS).toISOString();
const CADENCE = [2, 5, 10];
const LEAD = { doNotContact: false, isTest: false, unrecognised: false, flags: [] as string[] };

let seq = 0;
const id = (): string => `E${String(++seq).padStart(4, '0')}`;

const arrival = arrivalEvent('E0000', T(0));

const attempt = (days: number, outcome: AttemptOutcome | 'unknown' = 'noAnswer'): AttemptEvent => ({
  kind: 'attempt',
  eventId: id(),
  at: T(days),
  channel: 'email',
  outcome,
  via: 'api',
});
const status = (days: number, s: LeadStatus): StatusChangeEvent => ({
  kind: 'status',
  eventId: id(),
  at: T(days),
  status: s,
  via: 'api',
});
const restart = (days: number): CadenceRestartEvent => ({
  kind: 'cadenceRestart',
  eventId: id(),
  at: T(days),
  via: 'api',
});
const sent = (days: number, step: number): NurtureReminderEvent =>
  nurtureReminderEvent({ step }, ['ann@contoso.com'], id(), T(days));

type Events = Parameters<typeof planCadence>[1][number][];

function next(events: Events, days = CADENCE): { step: number; at: string } | undefined {
  const plan = planCadence(LEAD, events, days);
  if (plan.phase !== 'running') return undefined;
  return plan.next && { step: plan.next.step, at: plan.next.dueAt };
}

/**
 * Runs the cadence as a reminder run every 15 minutes would, until `untilDays`: whenever the plan's next touch is
 * due, the reminder goes out (its event is appended). Returns the history and the reminders sent.
 */
function run(events: Events, untilDays: number, hooks: Record<number, (h: Events) => Events> = {}): Events {
  let history = [...events];
  for (let t = 0; t <= untilDays * 96; t++) {
    const now = new Date(START + t * 15 * 60_000);
    const hook = hooks[t / 96];
    if (hook) history = hook(history);
    const plan = planCadence(LEAD, history, CADENCE);
    const entry = wantedNurtureEntry(plan);
    if (entry === undefined) continue;
    const check = checkNurtureEntry(plan, entry, now);
    if (check.action === 'send') history.push(sent((now.getTime() - START) / DAY_MS, check.touch.step));
  }
  return history;
}

const reminders = (history: Events): { step: number; day: number }[] =>
  history
    .filter((e): e is NurtureReminderEvent => e.kind === 'reminder' && 'step' in e)
    .map((e) => ({ step: e.step, day: (Date.parse(e.at) - START) / DAY_MS }));

describe('the cadence', () => {
  test('no attempt, no cadence: the speed-to-lead reminders are in charge', () => {
    expect(planCadence(LEAD, [arrival], CADENCE)).toEqual({ phase: 'waiting' });
  });

  test('reminders fall on the days after the first attempt, then the lead is stalled', () => {
    const first = attempt(0.5);
    expect(next([arrival, first])).toEqual({ step: 1, at: T(2.5) });
    const history = run([arrival, first], 30);
    expect(reminders(history)).toEqual([
      { step: 1, day: 2.5 },
      { step: 2, day: 5.5 },
      { step: 3, day: 10.5 },
    ]);
    const plan = planCadence(LEAD, history, CADENCE);
    expect(plan).toMatchObject({ phase: 'running', stallsAt: T(10.5), sentSteps: [1, 2, 3] });
    expect(wantedNurtureEntry(plan)).toBeUndefined();
    expect(isStalled(plan, new Date(T(10.4)))).toBe(false);
    expect(isStalled(plan, new Date(T(10.5)))).toBe(true);
  });

  test('the last step says so: its reminder asks for a decision', () => {
    const plan = planCadence(LEAD, [arrival, attempt(0), sent(2, 1), sent(5, 2)], CADENCE);
    expect(plan).toMatchObject({ phase: 'running', next: { step: 3, of: 3, last: true, dueAt: T(10) } });
  });

  test('a reply stops it, and so does "reached"; no answer or a left message do not', () => {
    for (const outcome of ['replied', 'reached'] as const) {
      const history = run([arrival, attempt(0)], 30, { 3: (h) => [...h, attempt(3, outcome)] });
      expect(reminders(history)).toEqual([{ step: 1, day: 2 }]);
      expect(planCadence(LEAD, history, CADENCE)).toEqual({ phase: 'replied', since: T(3) });
    }
    const history = run([arrival, attempt(0)], 30, { 3: (h) => [...h, attempt(3, 'leftMessage')] });
    // The attempt on day 3 made step 2's touch (due day 5): only steps 1 and 3 need a reminder.
    expect(reminders(history)).toEqual([
      { step: 1, day: 2 },
      { step: 3, day: 10 },
    ]);
  });

  test('a decision stops it: no reminder after qualified or disqualified', () => {
    for (const decision of ['qualified', 'disqualified'] as const) {
      const history = run([arrival, attempt(0)], 30, { 4: (h) => [...h, status(4, decision)] });
      expect(reminders(history)).toEqual([{ step: 1, day: 2 }]);
      expect(planCadence(LEAD, history, CADENCE)).toEqual({ phase: 'decided', status: decision });
    }
  });

  test('never for do-not-contact, test, unrecognised or erased leads', () => {
    const events = [arrival, attempt(0)];
    for (const lead of [
      { ...LEAD, doNotContact: true },
      { ...LEAD, isTest: true },
      { ...LEAD, unrecognised: true },
      { ...LEAD, flags: ['erased'] },
    ]) {
      expect(planCadence(lead, events, CADENCE)).toEqual({ phase: 'excluded' });
    }
  });

  test('"off" (no days): no reminders, never stalled', () => {
    expect(planCadence(LEAD, [arrival, attempt(0)], [])).toEqual({ phase: 'off' });
  });

  test('a restart starts the cadence over from that moment', () => {
    const history = run([arrival, attempt(0)], 30, { 12: (h) => [...h, restart(12)] });
    expect(reminders(history)).toEqual([
      { step: 1, day: 2 },
      { step: 2, day: 5 },
      { step: 3, day: 10 },
      { step: 1, day: 14 },
      { step: 2, day: 17 },
      { step: 3, day: 22 },
    ]);
    expect(sentNurtureSteps(history)).toEqual([1, 2, 3]);
  });

  test('a restart does nothing on a lead nobody contacted', () => {
    expect(planCadence(LEAD, [arrival, restart(1)], CADENCE)).toEqual({ phase: 'waiting' });
  });

  test('set back to new: the cadence ends; the next attempt starts a new one', () => {
    const events = [arrival, attempt(0), sent(2, 1), status(3, 'new')];
    expect(planCadence(LEAD, events, CADENCE)).toEqual({ phase: 'waiting' });
    expect(next([...events, attempt(4)])).toEqual({ step: 1, at: T(6) });
  });

  test('a decision taken back (qualified → contacted) starts a cadence at that moment', () => {
    const events = [arrival, attempt(0), sent(2, 1), status(3, 'qualified'), status(20, 'contacted')];
    expect(next(events)).toEqual({ step: 1, at: T(22) });
  });

  test('an earlier reply does not stop a restarted cadence', () => {
    const events = [arrival, attempt(0, 'replied'), restart(5)];
    expect(next(events)).toEqual({ step: 1, at: T(7) });
  });

  test('a status change to contacted (PATCH, the old one-click link) starts it like an attempt', () => {
    expect(next([arrival, status(1, 'contacted')])).toEqual({ step: 1, at: T(3) });
  });

  test('an amended one-click attempt that says "replied" stops it', () => {
    const click: AttemptEvent = { ...attempt(1, 'unknown'), channel: 'unknown', via: 'email-link', linkKey: 'L1' };
    const amend: AttemptEvent = { ...attempt(1.1, 'replied'), amends: click.eventId };
    expect(next([arrival, click])).toEqual({ step: 1, at: T(3) });
    expect(planCadence(LEAD, [arrival, click, amend], CADENCE)).toEqual({ phase: 'replied', since: T(1) });
  });

  test('at most one reminder per lead per day, counting the speed-to-lead reminder', () => {
    const remind = {
      kind: 'reminder' as const,
      eventId: id(),
      at: T(1.5),
      reminder: 'remind' as const,
      recipients: [],
    };
    // Contacted right after the 24 h reminder, with a one-day first step: the step waits for the day to pass.
    const events = [arrival, remind, attempt(1.6)];
    expect(next(events, [0.5, 5])).toEqual({ step: 1, at: new Date(START + 2.5 * DAY_MS).toISOString() });
    const history = run([arrival, attempt(0)], 30);
    const days = reminders(history).map((r) => r.day);
    for (let i = 1; i < days.length; i++) expect((days[i] ?? 0) - (days[i - 1] ?? 0)).toBeGreaterThanOrEqual(1);
  });

  test('steps already past when the history changed fold into one reminder for the latest', () => {
    // An attempt recorded today but dated six days back: steps 1 (day 2) and 2 (day 5) are past.
    const late: AttemptEvent = { ...attempt(6), happenedAt: T(0) };
    // Step 2's time is past: it is due at once.
    expect(next([arrival, late])).toEqual({ step: 2, at: T(5) });
    const history = run([arrival], 30, { 6: (h) => [...h, late] });
    expect(reminders(history)).toEqual([
      { step: 2, day: 6 },
      { step: 3, day: 10 },
    ]);
  });

  test('after downtime the overdue steps go out one a day, not all at once', () => {
    // The run was down from day 1 to day 6: the entry for step 1 (due day 2) is sent late, on day 6.
    const history = [arrival, attempt(0), sent(6, 1)];
    expect(next(history)).toEqual({ step: 2, at: T(7) });
  });

  test('a touch already made before its step needs no reminder', () => {
    expect(next([arrival, attempt(0), attempt(1)])).toEqual({ step: 2, at: T(5) });
    // Made after step 1 fell due and before step 2: step 2 is done too, only step 3 is left.
    expect(next([arrival, attempt(0), sent(2, 1), attempt(3)])).toEqual({ step: 3, at: T(10) });
    // Every step touched by hand: no reminder, stalled after the last step all the same.
    const plan = planCadence(LEAD, [arrival, attempt(0), attempt(1), attempt(3), attempt(6)], CADENCE);
    expect(plan).toMatchObject({ phase: 'running', stallsAt: T(10) });
    expect(wantedNurtureEntry(plan)).toBeUndefined();
  });

  test('the plan depends only on the set of events, not their order', () => {
    const events = [arrival, attempt(0), sent(2, 1), attempt(3, 'leftMessage'), restart(12), sent(14, 1)];
    const plan = planCadence(LEAD, events, CADENCE);
    expect(planCadence(LEAD, [...events].reverse(), CADENCE)).toEqual(plan);
    expect(
      planCadence(LEAD, [events[3], events[0], events[5], events[1], events[4], events[2]] as Events, CADENCE),
    ).toEqual(plan);
  });
});

describe('a due nurture entry in a reminder run', () => {
  const events = [arrival, attempt(0)];
  const plan = planCadence(LEAD, events, CADENCE);

  test('is sent when it is the touch the history wants and it is due', () => {
    expect(checkNurtureEntry(plan, { step: 1, dueAt: T(2) }, new Date(T(2)))).toEqual({
      action: 'send',
      touch: { step: 1, of: 3, dueAt: T(2), last: false },
    });
  });

  test('is kept when not due yet, dropped when stale or when the cadence stopped', () => {
    expect(checkNurtureEntry(plan, { step: 1, dueAt: T(2) }, new Date(START + 2 * DAY_MS - HOUR_MS))).toEqual({
      action: 'keep',
    });
    expect(checkNurtureEntry(plan, { step: 2, dueAt: T(5) }, new Date(T(5)))).toEqual({
      action: 'drop',
      reason: 'stale entry',
    });
    const decided: CadencePlan = planCadence(LEAD, [...events, status(1, 'qualified')], CADENCE);
    expect(checkNurtureEntry(decided, { step: 1, dueAt: T(2) }, new Date(T(2)))).toEqual({
      action: 'drop',
      reason: 'cadence decided',
    });
  });

  test('a run that crashed after the reminder event finds the step sent and appends no second one', () => {
    const after = [...events, sent(2, 1)];
    expect(sentNurtureSteps(after)).toEqual([1]);
    expect(checkNurtureEntry(planCadence(LEAD, after, CADENCE), { step: 1, dueAt: T(2) }, new Date(T(2)))).toEqual({
      action: 'drop',
      reason: 'stale entry',
    });
  });
});
