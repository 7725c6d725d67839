/**
 * `POST /api/leads/{id}/attempts`: a contact attempt, checked field by field so a caller learns every problem at
 * once. Note and by are cleaned as status notes are (the note keeps its line breaks) and have the same limits.
 */
import type { FieldProblem } from '../http/problems';
import { errorOf, type ProblemBody } from '../http/responses';
import {
  ATTEMPT_CHANNELS,
  ATTEMPT_OUTCOMES,
  type AttemptChannel,
  type AttemptEvent,
  type AttemptOutcome,
} from '../record/attempts';
import { isUlid } from '../record/keys';
import { DAY_MS, MINUTE_MS } from '../time';
import { enumField, jsonObjectBody, optionalText } from './bodyFields';
import { MAX_BY_LENGTH, MAX_NOTE_LENGTH } from './statusUpdate';

// Generous for the fields below even in four-byte characters; a bigger body is not an attempt.
export const MAX_ATTEMPT_BODY_BYTES = 16 * 1024;
/** How far back an attempt may be dated: a forgotten call from last week, not last year's. */
export const MAX_BACKDATE_DAYS = 30;
// Clocks of callers differ a little; an attempt "now" from a clock a few minutes ahead is still now.
const CLOCK_SKEW_MS = 5 * MINUTE_MS;

export interface AttemptInput {
  channel: AttemptChannel;
  outcome: AttemptOutcome;
  /** When it happened; absent means when it is recorded. */
  happenedAt?: string;
  note?: string;
  by?: string;
  /** The attempt (event id) this completes: the link's one click, whose channel and outcome were unknown. */
  amends?: string;
  via: 'api' | 'dashboard';
}

export type AttemptBodyResult = { ok: true; attempt: AttemptInput } | { ok: false; body: ProblemBody };

const BODY_SHAPE =
  `{"channel": "${ATTEMPT_CHANNELS.join('" | "')}", "outcome": "${ATTEMPT_OUTCOMES.join('" | "')}", ` +
  `"at"?: ISO time, "note"?: string, "by"?: string}`;

function fail(problems: FieldProblem[]): AttemptBodyResult {
  return { ok: false, body: errorOf('invalid_request', problems) };
}

function happenedAt(value: unknown, now: Date, problems: FieldProblem[]): string | undefined {
  if (value === undefined || value === null) return undefined;
  const time = typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(time)) {
    problems.push({ field: 'at', rule: 'format', message: 'at must be an ISO 8601 time, e.g. 2026-03-10T14:30:00Z' });
    return undefined;
  }
  if (time > now.getTime() + CLOCK_SKEW_MS) {
    problems.push({ field: 'at', rule: 'range', message: 'at must not be in the future' });
    return undefined;
  }
  if (time < now.getTime() - MAX_BACKDATE_DAYS * DAY_MS) {
    problems.push({ field: 'at', rule: 'range', message: `at must be within the last ${MAX_BACKDATE_DAYS} days` });
    return undefined;
  }
  return new Date(Math.min(time, now.getTime())).toISOString();
}

export function parseAttemptBody(text: string, now: Date): AttemptBodyResult {
  const read = jsonObjectBody(text, MAX_ATTEMPT_BODY_BYTES, BODY_SHAPE);
  if (!read.ok) return fail([read.problem]);
  const body = read.body;
  const problems: FieldProblem[] = [];
  const channel = enumField(body.channel, 'channel', ATTEMPT_CHANNELS, problems);
  const outcome = enumField(body.outcome, 'outcome', ATTEMPT_OUTCOMES, problems);
  const at = happenedAt(body.at, now, problems);
  const note = optionalText(body.note, 'note', MAX_NOTE_LENGTH, problems, true);
  const by = optionalText(body.by, 'by', MAX_BY_LENGTH, problems);
  let amends: string | undefined;
  if (body.amends !== undefined && body.amends !== null) {
    const id = typeof body.amends === 'string' ? body.amends.trim().toUpperCase() : '';
    if (isUlid(id)) amends = id;
    else problems.push({ field: 'amends', rule: 'format', message: 'amends must be the event id of an attempt' });
  }
  const via = enumField(body.via ?? 'api', 'via', ['api', 'dashboard'] as const, problems);
  if (problems.length > 0 || channel === undefined || outcome === undefined || via === undefined) return fail(problems);
  return {
    ok: true,
    attempt: {
      channel,
      outcome,
      ...(at === undefined ? {} : { happenedAt: at }),
      ...(note === undefined ? {} : { note }),
      ...(by === undefined ? {} : { by }),
      ...(amends === undefined ? {} : { amends }),
      via,
    },
  };
}

/** The event for a parsed attempt, recorded now. */
export function attemptEvent(input: AttemptInput, eventId: string, at: string): AttemptEvent {
  return { kind: 'attempt', eventId, at, ...input };
}

/**
 * The event for the email link's one click ("I contacted them"): how and with what outcome is not known yet; the
 * page that follows offers a form whose answer amends this event. `linkKey` makes a double click one attempt.
 */
export function oneClickAttemptEvent(linkKey: string, eventId: string, at: string): AttemptEvent {
  return { kind: 'attempt', eventId, at, channel: 'unknown', outcome: 'unknown', via: 'email-link', linkKey };
}
