/**
 * A seeded, deterministic simulation of the nurture cadence: leads arrive, salespeople make attempts (often after a
 * reminder, sometimes not at all), customers reply, people decide or restart stalled leads, and a reminder run
 * every `tickMinutes` sends whatever the cadence says is due, appending the reminder event as the real run does.
 * The invariants are then checked on the resulting histories by their own reading of the events, not by asking the
 * cadence again: no reminder after a decision or a reply, none for do-not-contact or test leads, at most one per
 * lead per day, no more per cadence than it has steps.
 */
import {
  type CadenceRestartEvent,
  checkNurtureEntry,
  isStalled,
  type NurtureReminderEvent,
  planCadence,
  wantedNurtureEntry,
} from '../shared/followUp/cadence';
import {
  appliedChanges,
  type AttemptEvent,
  type AttemptOutcome,
  byTime,
  contactAttempts,
  isReply,
} from '../shared/record/attempts';
import { isDecided } from '../shared/record/decisions';
import type { LeadArrivalEvent, LeadEvent, StatusChangeEvent } from '../shared/record/model';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../shared/time';

export interface SimulationOptions {
  seed: number;
  leads: number;
  days: number;
  cadenceDays: number[];
  tickMinutes: number;
}

export const DEFAULT_SIMULATION: SimulationOptions = {
  seed: 1,
  leads: 100,
  days: 30,
  cadenceDays: [2, 5, 10],
  tickMinutes: 15,
};

type Event = LeadEvent | AttemptEvent | CadenceRestartEvent | NurtureReminderEvent;

interface SimLead {
  id: number;
  doNotContact: boolean;
  isTest: boolean;
  unrecognised: false;
  flags: string[];
  events: Event[];
  /** What people will do, by time: applied when the simulated clock passes it. */
  plans: { at: number; make: (at: string) => Event }[];
  stallHandled: boolean;
  replyHandled: boolean;
  restarts: number;
}

export interface SimulationResult {
  options: SimulationOptions;
  /** Nurture reminders sent to each lead, by lead. */
  remindersPerLead: number[];
  /** Number of leads by how many reminders they got. */
  distribution: Record<number, number>;
  outcomes: { decided: number; replied: number; stalled: number; running: number; waiting: number; excluded: number };
  restarts: number;
  violations: {
    afterDecision: number;
    afterReply: number;
    toExcluded: number;
    twiceInADay: number;
    moreThanSteps: number;
  };
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const START = Date.UTC(2026, 0, 5, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

export function simulateNurture(options: SimulationOptions = DEFAULT_SIMULATION): SimulationResult {
  const rnd = random(options.seed);
  const pick = <T>(weighted: readonly [T, number][]): T => {
    let r = rnd() * weighted.reduce((s, [, w]) => s + w, 0);
    for (const [value, weight] of weighted) if ((r -= weight) <= 0) return value;
    return (weighted.at(-1) as [T, number])[0];
  };
  let seq = 0;
  const nextId = (): string => `E${String(++seq).padStart(8, '0')}`;
  const attempt =
    (outcome: AttemptOutcome) =>
    (at: string): AttemptEvent => ({
      kind: 'attempt',
      eventId: nextId(),
      at,
      channel: pick([
        ['email', 5],
        ['phone', 3],
        ['meeting', 1],
      ] as const),
      outcome,
      via: 'api',
    });
  const decide =
    (status: 'qualified' | 'disqualified') =>
    (at: string): StatusChangeEvent => ({
      kind: 'status',
      eventId: nextId(),
      at,
      status,
      via: 'dashboard',
    });
  const outcome = (): AttemptOutcome =>
    pick([
      ['noAnswer', 40],
      ['leftMessage', 30],
      ['reached', 15],
      ['replied', 15],
    ] as const);

  const leads: SimLead[] = Array.from({ length: options.leads }, (_, id) => {
    const arrivedAt = START + rnd() * 10 * DAY_MS;
    const kind = pick([
      ['real', 90],
      ['dnc', 5],
      ['test', 5],
    ] as const);
    const arrival: LeadArrivalEvent = {
      kind: 'arrival',
      eventId: nextId(),
      at: iso(arrivedAt),
      source: 'AzureMarketplace',
      sourceRaw: 'AzureMarketplace',
      action: kind === 'dnc' ? 'DNC' : 'PLT',
      actionRaw: kind === 'dnc' ? 'DNC' : 'PLT',
      stage: kind === 'dnc' ? 'doNotContact' : 'interest',
      isTest: kind === 'test',
      unrecognised: false,
      flags: [],
      rawBody: '{}',
    };
    const lead: SimLead = {
      id,
      doNotContact: kind === 'dnc',
      isTest: kind === 'test',
      unrecognised: false,
      flags: [],
      events: [arrival],
      plans: [],
      stallHandled: false,
      replyHandled: false,
      restarts: 0,
    };
    // The first attempt: mostly within two days, some later, some never.
    const firstAfter = pick([
      [rnd() * 2 * DAY_MS, 70],
      [(2 + rnd() * 3) * DAY_MS, 20],
      [Infinity, 10],
    ] as const);
    if (firstAfter !== Infinity) lead.plans.push({ at: arrivedAt + firstAfter, make: attempt(outcome()) });
    // Now and then someone decides without waiting for the cadence.
    if (rnd() < 0.1) {
      lead.plans.push({
        at: arrivedAt + rnd() * 20 * DAY_MS,
        make: decide(rnd() < 0.5 ? 'qualified' : 'disqualified'),
      });
    }
    return lead;
  });

  const ticks = Math.floor((options.days * DAY_MS) / (options.tickMinutes * MINUTE_MS));
  for (let tick = 0; tick <= ticks; tick++) {
    const now = START + tick * options.tickMinutes * MINUTE_MS;
    for (const lead of leads) {
      const due = lead.plans.filter((p) => p.at <= now).sort((a, b) => a.at - b.at);
      lead.plans = lead.plans.filter((p) => p.at > now);
      for (const p of due) lead.events.push(p.make(iso(p.at)));

      const plan = planCadence(lead, lead.events, options.cadenceDays);
      const entry = wantedNurtureEntry(plan);
      const check = entry === undefined ? undefined : checkNurtureEntry(plan, entry, new Date(now));
      if (check?.action === 'send') {
        lead.events.push({
          kind: 'reminder',
          eventId: nextId(),
          at: iso(now),
          reminder: 'nurture',
          step: check.touch.step,
          recipients: ['owner@contoso.com'],
        });
        // The reminder works more often than not: an attempt within half a day.
        if (rnd() < 0.6) lead.plans.push({ at: now + rnd() * 12 * HOUR_MS, make: attempt(outcome()) });
      }
      if (plan.phase === 'replied' && !lead.replyHandled) {
        lead.replyHandled = true;
        if (rnd() < 0.7) {
          lead.plans.push({
            at: now + (1 + rnd() * 2) * DAY_MS,
            make: decide(rnd() < 0.6 ? 'qualified' : 'disqualified'),
          });
        }
      }
      if (isStalled(plan, new Date(now)) && !lead.stallHandled) {
        lead.stallHandled = true;
        const choice = pick([
          ['decide', 5],
          ['restart', 2],
          ['ignore', 3],
        ] as const);
        const at = now + rnd() * 3 * DAY_MS;
        if (choice === 'decide') lead.plans.push({ at, make: decide(rnd() < 0.3 ? 'qualified' : 'disqualified') });
        if (choice === 'restart') {
          lead.restarts++;
          lead.plans.push({
            at,
            make: (time) => {
              lead.stallHandled = false;
              return { kind: 'cadenceRestart', eventId: nextId(), at: time, via: 'dashboard' };
            },
          });
        }
      }
    }
  }
  return summarise(options, leads);
}

function summarise(options: SimulationOptions, leads: readonly SimLead[]): SimulationResult {
  const end = new Date(START + options.days * DAY_MS);
  const remindersPerLead = leads.map((l) => l.events.filter(isNurture).length);
  const distribution: Record<number, number> = {};
  for (const n of remindersPerLead) distribution[n] = (distribution[n] ?? 0) + 1;
  const outcomes = { decided: 0, replied: 0, stalled: 0, running: 0, waiting: 0, excluded: 0 };
  for (const lead of leads) {
    const plan = planCadence(lead, lead.events, options.cadenceDays);
    if (plan.phase === 'decided') outcomes.decided++;
    else if (plan.phase === 'replied') outcomes.replied++;
    else if (isStalled(plan, end)) outcomes.stalled++;
    else if (plan.phase === 'running') outcomes.running++;
    else if (plan.phase === 'excluded') outcomes.excluded++;
    else outcomes.waiting++;
  }
  const violations = { afterDecision: 0, afterReply: 0, toExcluded: 0, twiceInADay: 0, moreThanSteps: 0 };
  for (const lead of leads) {
    const found = checkHistory(lead, options.cadenceDays.length);
    for (const key of Object.keys(violations) as (keyof typeof violations)[]) violations[key] += found[key];
  }
  return {
    options,
    remindersPerLead,
    distribution,
    outcomes,
    restarts: leads.reduce((s, l) => s + l.restarts, 0),
    violations,
  };
}

function isNurture(e: Event): e is NurtureReminderEvent {
  return e.kind === 'reminder' && e.reminder === 'nurture';
}

/** The invariants, read off one lead's history in time order. */
function checkHistory(lead: SimLead, steps: number): SimulationResult['violations'] {
  const found = { afterDecision: 0, afterReply: 0, toExcluded: 0, twiceInADay: 0, moreThanSteps: 0 };
  const sorted = [...lead.events].sort(byTime);
  let lastReminder: number | undefined;
  let sinceRestart = 0;
  let restartAt = '';
  sorted.forEach((e, i) => {
    if (e.kind === 'cadenceRestart') {
      sinceRestart = 0;
      restartAt = e.at;
    }
    if (!isNurture(e)) return;
    if (lead.doNotContact || lead.isTest) found.toExcluded++;
    const before = sorted.slice(0, i);
    if (isDecided(appliedChanges(before).at(-1)?.status ?? 'new')) found.afterDecision++;
    if (contactAttempts(before).some((a) => a.recordedAt > restartAt && isReply(a.outcome))) found.afterReply++;
    const at = Date.parse(e.at);
    if (lastReminder !== undefined && at - lastReminder < DAY_MS) found.twiceInADay++;
    lastReminder = at;
    if (++sinceRestart > steps) found.moreThanSteps++;
  });
  return found;
}

export function formatSimulation(result: SimulationResult): string {
  const { options, distribution, outcomes, violations } = result;
  const total = result.remindersPerLead.reduce((s, n) => s + n, 0);
  const lines = [
    `${options.leads} leads, ${options.days} days, cadence ${options.cadenceDays.join(',')} days, a run every ${options.tickMinutes} minutes, seed ${options.seed}`,
    `nurture reminders: ${total} in all, ${(total / options.leads).toFixed(2)} per lead`,
    'reminders per lead → leads:',
    ...Object.entries(distribution).map(([n, count]) => `  ${n}: ${count}`),
    `at the end: ${outcomes.decided} decided, ${outcomes.replied} replied (awaiting a decision), ${outcomes.stalled} stalled, ${outcomes.running} in their cadence, ${outcomes.waiting} never contacted, ${outcomes.excluded} do-not-contact or test; ${result.restarts} restarts`,
    `reminders after a decision: ${violations.afterDecision}; after a reply: ${violations.afterReply}; to do-not-contact or test leads: ${violations.toExcluded}; within a day of the previous one: ${violations.twiceInADay}; more than the steps of a cadence: ${violations.moreThanSteps}`,
  ];
  return lines.join('\n');
}
