/**
 * The nurture cadence: after the first contact attempt, while the lead has no decision and the customer has not
 * answered, its owner is reminded of the next touch on the days of NURTURE_CADENCE_DAYS (counted from the first
 * attempt). After the last step the lead is stalled: it waits for a decision (qualify, disqualify, or restart the
 * cadence) instead of being reminded forever.
 *
 * Everything here is a pure function of the record's events, like the projection, so the follow-up index can hold
 * the one `nurture` entry a record wants (due entries, not scans) and every writer agrees on it. Rules:
 *  - a cadence starts at the first attempt; setting the lead back to `new` ends it (the next attempt starts a new
 *    one); a restart, or taking a decision back (qualified/disqualified → contacted), starts one at that moment;
 *  - a reply (an attempt whose outcome is reached or replied) or a decision stops it;
 *  - a step whose touch someone already made (an attempt after the previous step fell due) needs no reminder;
 *  - steps that were already past when the history last changed (downtime, a back-dated attempt) fold into one
 *    reminder for the latest of them;
 *  - at most one reminder per lead per day: a touch falls due no sooner than 24 h after the lead's last reminder;
 *  - never for do-not-contact, test, unrecognised or erased leads.
 */
import {
  appliedChanges,
  byTime,
  type ContactAttempt,
  contactAttempts,
  type HistoryEvent,
  isReply,
} from '../record/attempts';
import { isDecided } from '../record/decisions';
import { ERASED_FLAG, type LeadRecord, type LeadStatus } from '../record/model';
import { DAY_MS } from '../time';

/** Someone chose to go on: the cadence starts over from this moment. */
export interface CadenceRestartEvent {
  kind: 'cadenceRestart';
  eventId: string;
  at: string;
  by?: string;
  note?: string;
  via: 'api' | 'dashboard';
}

/** A nurture reminder went out (a third kind of `reminder` event, beside remind and escalate). */
export interface NurtureReminderEvent {
  kind: 'reminder';
  eventId: string;
  at: string;
  reminder: 'nurture';
  /** The cadence step (1-based) the reminder was for. */
  step: number;
  recipients: string[];
}

/** The next touch the owner is to be reminded of: what the record's one `nurture` follow-up entry holds. */
export interface NurtureTouch {
  step: number;
  /** Number of steps in the cadence. */
  of: number;
  dueAt: string;
  /** The last step: its reminder asks for a decision, and the lead is stalled from then on. */
  last: boolean;
}

export type CadencePlan =
  | { phase: 'excluded' }
  | { phase: 'off' }
  /** No attempt yet (or none since the lead was set back to new): the speed-to-lead reminders are in charge. */
  | { phase: 'waiting' }
  | { phase: 'decided'; status: 'qualified' | 'disqualified' }
  /** The customer answered: no more reminders; what comes next is a decision. */
  | { phase: 'replied'; since: string }
  | {
      phase: 'running';
      startedAt: string;
      /** Undefined when every step is reminded of or was already touched. */
      next?: NurtureTouch;
      /** When the last step falls due: from then on the lead is stalled (isStalled). */
      stallsAt: string;
      /** Steps reminded of since the cadence started. */
      sentSteps: number[];
    };

export type CadenceLead = Pick<LeadRecord, 'doNotContact' | 'isTest' | 'unrecognised' | 'flags'>;

type Event = HistoryEvent | CadenceRestartEvent | NurtureReminderEvent;

function isRestart(e: Event): e is CadenceRestartEvent {
  return e.kind === 'cadenceRestart';
}

function isNurtureReminder(e: Event): e is NurtureReminderEvent {
  return e.kind === 'reminder' && 'reminder' in e && e.reminder === 'nurture';
}

/** A reminder to the lead's salespeople (speed-to-lead or nurture); escalations go to someone else. */
function isOwnerReminder(e: Event): boolean {
  return e.kind === 'reminder' && 'reminder' in e && (e.reminder === 'remind' || e.reminder === 'nurture');
}

const iso = (ms: number): string => new Date(ms).toISOString();

interface Epoch {
  /** Position in the sorted history after which the current cadence's events count (-1: from the start). */
  from: number;
  fromAt?: string;
  /** Set when the cadence starts at the epoch's own moment (restart, a decision taken back). */
  anchorAt?: string;
}

/** Where the current cadence begins in the history. */
function currentEpoch(sorted: readonly Event[]): Epoch {
  const changes = new Map(appliedChanges(sorted).map((c) => [c.eventId, c]));
  let epoch: Epoch = { from: -1 };
  sorted.forEach((e, i) => {
    if (isRestart(e)) {
      epoch = { from: i, fromAt: e.at, anchorAt: e.at };
      return;
    }
    const change = e.kind === 'status' ? changes.get(e.eventId) : undefined;
    if (change === undefined) return;
    if (change.status === 'new') epoch = { from: i, fromAt: e.at };
    else if (isDecided(change.from) && !isDecided(change.status)) epoch = { from: i, fromAt: e.at, anchorAt: e.at };
  });
  return epoch;
}

function finalStatus(events: readonly Event[]): LeadStatus {
  return appliedChanges(events).at(-1)?.status ?? 'new';
}

function excluded(lead: CadenceLead): boolean {
  return lead.doNotContact || lead.isTest || lead.unrecognised || lead.flags.includes(ERASED_FLAG);
}

/** The steps reminded of in the current cadence: what a reminder run checks before appending another event. */
export function sentNurtureSteps(events: readonly Event[]): number[] {
  const sorted = [...events].sort(byTime);
  const epoch = currentEpoch(sorted);
  return sorted.flatMap((e, i) => (i > epoch.from && isNurtureReminder(e) ? [e.step] : []));
}

/** The cadence of a lead: a pure function of its events and the cadence days (ascending, as config reads them). */
export function planCadence(lead: CadenceLead, events: readonly Event[], cadenceDays: readonly number[]): CadencePlan {
  if (excluded(lead)) return { phase: 'excluded' };
  const sorted = [...events].sort(byTime);
  const status = finalStatus(sorted);
  if (isDecided(status)) return { phase: 'decided', status };
  if (cadenceDays.length === 0) return { phase: 'off' };
  // Nobody has contacted the lead (or someone set it back): a restart alone does not start a cadence.
  if (status === 'new') return { phase: 'waiting' };

  const epoch = currentEpoch(sorted);
  const position = new Map(sorted.map((e, i) => [e.eventId, i]));
  const attempts = contactAttempts(sorted).filter((a) => (position.get(a.eventId) ?? -1) > epoch.from);
  const reply = attempts.find((a) => isReply(a.outcome));
  if (reply !== undefined) return { phase: 'replied', since: reply.at };
  const anchor = anchorOf(epoch, attempts);
  if (anchor === undefined) return { phase: 'waiting' };

  const sentSteps = sorted.flatMap((e, i) => (i > epoch.from && isNurtureReminder(e) ? [e.step] : []));
  const lastReminder = sorted.filter(isOwnerReminder).at(-1);
  const asOf = Date.parse(sorted.at(-1)?.at ?? iso(anchor));
  const due = cadenceDays.map((d) => anchor + d * DAY_MS);
  const n = due.length;
  const stallsAt = iso(due[n - 1] ?? anchor);
  const startedAt = iso(anchor);

  const maxSent = Math.max(0, ...sentSteps);
  const open = due.map((_, i) => i + 1).filter((step) => step > maxSent);
  // Steps already past when the history last changed fold into the latest of them.
  const latestPassed = open.filter((step) => (due[step - 1] ?? 0) <= asOf).at(-1);
  const remaining = open.filter((step) => latestPassed === undefined || step >= latestPassed);
  const touched = (step: number): boolean => {
    const end = due[step - 1] ?? 0;
    const start = step === 1 ? anchor : (due[step - 2] ?? anchor);
    return attempts.some((a) => {
      const t = Date.parse(a.at);
      return (step === 1 ? t > start : t >= start) && t < end;
    });
  };
  const step = remaining.find((s) => !touched(s));
  if (step === undefined) return { phase: 'running', startedAt, stallsAt, sentSteps };
  const notBefore = lastReminder === undefined ? 0 : Date.parse(lastReminder.at) + DAY_MS;
  const dueAt = iso(Math.max(due[step - 1] ?? anchor, notBefore));
  return { phase: 'running', startedAt, stallsAt, sentSteps, next: { step, of: n, dueAt, last: step === n } };
}

function anchorOf(epoch: Epoch, attempts: readonly ContactAttempt[]): number | undefined {
  if (epoch.anchorAt !== undefined) return Date.parse(epoch.anchorAt);
  const first = attempts.map((a) => Date.parse(a.at)).sort((a, b) => a - b)[0];
  if (first === undefined) return undefined;
  // A back-dated attempt recorded after the lead was set back to new starts the cadence no earlier than that.
  return epoch.fromAt === undefined ? first : Math.max(first, Date.parse(epoch.fromAt));
}

/** Stalled: the cadence ran through its last step with no reply and no decision. */
export function isStalled(plan: CadencePlan, now: Date): boolean {
  return plan.phase === 'running' && Date.parse(plan.stallsAt) <= now.getTime();
}

/** What the follow-up index holds for the cadence: at most one `nurture` entry per record. */
export function wantedNurtureEntry(plan: CadencePlan): { step: number; dueAt: string } | undefined {
  return plan.phase === 'running' && plan.next !== undefined
    ? { step: plan.next.step, dueAt: plan.next.dueAt }
    : undefined;
}

export type NurtureEntryCheck =
  { action: 'send'; touch: NurtureTouch } | { action: 'keep' } | { action: 'drop'; reason: string };

/**
 * What a reminder run does with a due `nurture` entry, decided on the history as it is now (not a possibly stale
 * record): send it, keep it for later, or drop it (and rebuild, which puts the entry the record wants now).
 */
export function checkNurtureEntry(
  plan: CadencePlan,
  entry: { step: number; dueAt: string },
  now: Date,
): NurtureEntryCheck {
  if (plan.phase !== 'running') return { action: 'drop', reason: `cadence ${plan.phase}` };
  const next = plan.next;
  if (next === undefined) return { action: 'drop', reason: 'no touch due' };
  if (next.step !== entry.step || next.dueAt !== entry.dueAt) return { action: 'drop', reason: 'stale entry' };
  if (Date.parse(next.dueAt) > now.getTime()) return { action: 'keep' };
  return { action: 'send', touch: next };
}

/** The reminder event a run appends once every recipient has the reminder of this touch. */
export function nurtureReminderEvent(
  touch: Pick<NurtureTouch, 'step'>,
  recipients: readonly string[],
  eventId: string,
  at: string,
): NurtureReminderEvent {
  return { kind: 'reminder', eventId, at, reminder: 'nurture', step: touch.step, recipients: [...recipients] };
}

/**
 * What the record carries of its cadence, as of its last change: the phase, the next touch's step and due time
 * (the follow-up index's `nurture` entry, which the index sync must find again to delete) and when it stalls.
 */
export interface RecordCadence {
  phase: CadencePlan['phase'];
  startedAt?: string;
  step?: number;
  of?: number;
  dueAt?: string;
  stallsAt?: string;
}

export function recordCadence(plan: CadencePlan): RecordCadence {
  if (plan.phase !== 'running') return { phase: plan.phase };
  const { startedAt, stallsAt, next } = plan;
  return next === undefined
    ? { phase: 'running', startedAt, stallsAt }
    : { phase: 'running', startedAt, stallsAt, step: next.step, of: next.of, dueAt: next.dueAt };
}

/** Stalled, read from a record's cadence block: running, past the last step's due time. */
export function recordIsStalled(cadence: RecordCadence | undefined, now: Date): boolean {
  return (
    cadence?.phase === 'running' && cadence.stallsAt !== undefined && Date.parse(cadence.stallsAt) <= now.getTime()
  );
}
