/**
 * Contact attempts: each time someone tried to reach the customer (who, when, how, what came of it), as events in
 * the record's history. The record's attempt figures are a fold over the events, like every other field.
 *
 * Two kinds of event make an attempt:
 *  - an `attempt` event (`POST /api/leads/{id}/attempts`, the dashboard, the email link's one click);
 *  - a `status` change to `contacted` that moved the lead from `new` (PATCH, and every history written before
 *    attempts existed): someone said they contacted the customer, without saying how, so channel and outcome are
 *    `unknown`.
 * An attempt event may `amend` an earlier attempt (the page after the link's one click asks how it went): it fills
 * in that attempt's details instead of counting a second one. Attempts from one link (`linkKey`) count once, so a
 * double click or a retried form post is one attempt.
 * An attempt on a `new` lead also makes it `contacted` (see attemptStatusChange): the speed-to-lead clock stops at
 * the first attempt, whichever way it was recorded.
 */
import type { LeadEvent, LeadStatus, StatusChangeEvent } from './model';

export const ATTEMPT_CHANNELS = ['email', 'phone', 'meeting', 'other'] as const;
export type AttemptChannel = (typeof ATTEMPT_CHANNELS)[number];

export const ATTEMPT_OUTCOMES = ['reached', 'noAnswer', 'leftMessage', 'replied'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** Outcomes that mean the customer answered: the cadence stops, a decision is what comes next. */
export const REPLY_OUTCOMES: readonly AttemptOutcome[] = ['reached', 'replied'];

export type AttemptVia = 'api' | 'dashboard' | 'email-link';

export interface AttemptEvent {
  kind: 'attempt';
  eventId: string;
  /** When the attempt was recorded: the history's order. */
  at: string;
  /** When the contact happened, if the person said so (never after `at`); else `at`. */
  happenedAt?: string;
  by?: string;
  /** `unknown` only from the link's one click, until its follow-up form says more. */
  channel: AttemptChannel | 'unknown';
  outcome: AttemptOutcome | 'unknown';
  note?: string;
  via: AttemptVia;
  /** The event id of an earlier attempt this one completes (its unknown channel or outcome, its note). */
  amends?: string;
  /** Identifies the link that recorded it: a second attempt with the same key is the same click. */
  linkKey?: string;
}

/** One attempt as the record and the history show it, after amendments. */
export interface ContactAttempt {
  /** The event that made the attempt (an attempt event, or the status change it was implied by). */
  eventId: string;
  /** When it happened. */
  at: string;
  /** When it was recorded. */
  recordedAt: string;
  by?: string;
  channel: AttemptChannel | 'unknown';
  outcome: AttemptOutcome | 'unknown';
  note?: string;
  via: string;
  /** From a status change to `contacted` rather than an attempt event. */
  implied: boolean;
}

/** What the record carries about attempts (to be added to LeadRecord). */
export interface AttemptSummary {
  attemptCount: number;
  firstAttemptAt?: string;
  lastAttemptAt?: string;
  lastAttemptChannel?: AttemptChannel | 'unknown';
  lastAttemptOutcome?: AttemptOutcome | 'unknown';
  lastAttemptBy?: string;
}

/** The events this module reads: today's history plus attempt events. */
export type HistoryEvent = LeadEvent | AttemptEvent | { kind: string; eventId: string; at: string };

export function isAttemptEvent(e: HistoryEvent): e is AttemptEvent {
  return e.kind === 'attempt';
}

function isStatusEvent(e: HistoryEvent): e is StatusChangeEvent {
  return e.kind === 'status';
}

/** The order projection.ts folds a history in: time, then event id. */
export function byTime(a: HistoryEvent, b: HistoryEvent): number {
  return a.at < b.at ? -1 : a.at > b.at ? 1 : a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

/** The status change an attempt event stands for: `contacted`, only over `new`. An amendment changes nothing. */
export function attemptStatusChange(e: AttemptEvent): { status: LeadStatus; onlyIf: LeadStatus } | undefined {
  return e.amends === undefined ? { status: 'contacted', onlyIf: 'new' } : undefined;
}

export interface AppliedChange {
  eventId: string;
  at: string;
  status: LeadStatus;
  /** The status before this change. */
  from: LeadStatus;
  event: StatusChangeEvent | AttemptEvent;
}

/**
 * Status changes in history order, counting attempt events as `contacted`-over-`new`, without the conditional ones
 * whose condition did not hold at their place. Replaces projection.ts appliedStatusChanges once attempts are wired.
 */
export function appliedChanges(events: readonly HistoryEvent[]): AppliedChange[] {
  const applied: AppliedChange[] = [];
  let status: LeadStatus = 'new';
  for (const e of [...events].sort(byTime)) {
    const event = isStatusEvent(e) || isAttemptEvent(e) ? e : undefined;
    if (event === undefined) continue;
    const change =
      event.kind === 'status' ? { status: event.status, onlyIf: event.onlyIf } : attemptStatusChange(event);
    if (change === undefined || (change.onlyIf !== undefined && change.onlyIf !== status)) continue;
    applied.push({ eventId: e.eventId, at: e.at, status: change.status, from: status, event });
    status = change.status;
  }
  return applied;
}

/** The moment an attempt happened: its stated time, never after it was recorded. */
function happened(e: AttemptEvent): string {
  return e.happenedAt !== undefined && e.happenedAt < e.at ? e.happenedAt : e.at;
}

/** Every attempt, in the order they were recorded, with amendments folded in and repeated link clicks once. */
export function contactAttempts(events: readonly HistoryEvent[]): ContactAttempt[] {
  const impliedBy = new Set(
    appliedChanges(events)
      .filter((c) => c.status === 'contacted' && c.from === 'new' && isStatusEvent(c.event))
      .map((c) => c.eventId),
  );
  const attempts: ContactAttempt[] = [];
  const byId = new Map<string, ContactAttempt>();
  const links = new Set<string>();
  for (const e of [...events].sort(byTime)) {
    if (isStatusEvent(e) && impliedBy.has(e.eventId)) {
      const attempt: ContactAttempt = {
        eventId: e.eventId,
        at: e.at,
        recordedAt: e.at,
        by: e.by,
        channel: 'unknown',
        outcome: 'unknown',
        note: e.note,
        via: e.via,
        implied: true,
      };
      attempts.push(attempt);
      byId.set(e.eventId, attempt);
      continue;
    }
    if (!isAttemptEvent(e)) continue;
    const amended = e.amends === undefined ? undefined : byId.get(e.amends);
    if (amended !== undefined) {
      if (e.channel !== 'unknown') amended.channel = e.channel;
      if (e.outcome !== 'unknown') amended.outcome = e.outcome;
      if (e.note !== undefined) amended.note = e.note;
      if (e.by !== undefined) amended.by = e.by;
      continue;
    }
    if (e.linkKey !== undefined) {
      if (links.has(e.linkKey)) continue;
      links.add(e.linkKey);
    }
    // An amendment whose attempt is not in the history (erased, never stored) stands as an attempt of its own.
    const attempt: ContactAttempt = {
      eventId: e.eventId,
      at: happened(e),
      recordedAt: e.at,
      by: e.by,
      channel: e.channel,
      outcome: e.outcome,
      note: e.note,
      via: e.via,
      implied: false,
    };
    attempts.push(attempt);
    byId.set(e.eventId, attempt);
  }
  return attempts;
}

/** The record's attempt fields. "Last" is the latest by when it happened, ties by when it was recorded. */
export function summariseAttempts(attempts: readonly ContactAttempt[]): AttemptSummary {
  if (attempts.length === 0) return { attemptCount: 0 };
  const byHappened = [...attempts].sort((a, b) =>
    a.at < b.at ? -1 : a.at > b.at ? 1 : a.recordedAt < b.recordedAt ? -1 : a.recordedAt > b.recordedAt ? 1 : 0,
  );
  const first = byHappened[0] as ContactAttempt;
  const last = byHappened[byHappened.length - 1] as ContactAttempt;
  return {
    attemptCount: attempts.length,
    firstAttemptAt: first.at,
    lastAttemptAt: last.at,
    lastAttemptChannel: last.channel,
    lastAttemptOutcome: last.outcome,
    lastAttemptBy: last.by,
  };
}

export function isReply(outcome: AttemptOutcome | 'unknown'): boolean {
  return (REPLY_OUTCOMES as readonly string[]).includes(outcome);
}
