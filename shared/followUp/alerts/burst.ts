/**
 * Burst folding: a seller who gets a flood of alerts should get a few messages, not a flood, and no alert should
 * wait long. Per recipient, with N = ALERT_BURST, W = one minute and H = the hold (30 s):
 *
 *  1. An alert goes out alone, at once, when fewer than N alerts for that recipient were admitted in the W before
 *     it (alone or held; the window is open at its start, so an alert exactly W earlier no longer counts).
 *  2. Otherwise it is held: it joins the recipient's open digest, or opens one, due H after it opened.
 *  3. A due digest is sealed (it takes no more alerts; the next held alert opens a new one), sent as one message
 *     with every alert it holds, and dropped from the state once sent.
 *
 * So the first N alerts of a burst arrive one by one and the rest together; a burst going on for long yields a
 * digest every H, so at most N + 2 messages a minute. A held alert waits at most H past its arrival (plus the
 * queue's delay), within the one-minute promise. Once a minute passes with fewer than N alerts, alerts go alone.
 *
 * Pure and serialisable: the state is plain JSON (times in epoch ms) and small whatever the burst (the last N
 * admissions plus the ids in unsent digests), so it can live in one table entity per recipient, updated with its
 * ETag. Admitting an alert again gives the same answer and leaves the state as it was, so a redelivered queue
 * message does not make a second message while the state still remembers the alert.
 */
export interface BurstRule {
  /** ALERT_BURST: how many alerts a minute go out one by one. At least 1. */
  limit: number;
  /** The burst window, one minute. */
  windowMs: number;
  /** How long an opened digest collects alerts before it is due. */
  holdMs: number;
}

export const BURST_WINDOW_MS = 60_000;
export const DIGEST_HOLD_MS = 30_000;

export function burstRule(limit: number): BurstRule {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new RangeError(`ALERT_BURST must be a whole number of at least 1, not ${limit}`);
  }
  return { limit, windowMs: BURST_WINDOW_MS, holdMs: DIGEST_HOLD_MS };
}

export interface Digest {
  /** The id of the first alert it held: unique, and the same however often that alert is admitted. */
  digestId: string;
  openedAt: number;
  dueAt: number;
  alertIds: string[];
}

export interface BurstState {
  /** The last `limit` admissions, oldest first; `digestId` for an alert that was held. */
  recent: { alertId: string; at: number; digestId?: string }[];
  /** The digest collecting held alerts. */
  open?: Digest;
  /** Digests taking no more alerts, being sent; dropped once sent. */
  sealed: Digest[];
}

export const EMPTY_BURST: BurstState = { recent: [], sealed: [] };

export type BurstDecision =
  /** Send it now, on its own. */
  | { kind: 'alone' }
  /**
   * It goes out with digest `digestId`, due at `dueAt`. `opener`: this alert opened it, so the caller schedules the
   * digest's delivery for `dueAt` (again, when the alert is redelivered: a second schedule finds nothing to do).
   */
  | { kind: 'held'; digestId: string; dueAt: number; opener: boolean }
  /** It already went out in digest `digestId` (a redelivered alert). */
  | { kind: 'sent'; digestId: string };

function digestHolding(state: BurstState, alertId: string): Digest | undefined {
  if (state.open?.alertIds.includes(alertId)) return state.open;
  return state.sealed.find((d) => d.alertIds.includes(alertId));
}

function held(digest: Digest, alertId: string): BurstDecision {
  return { kind: 'held', digestId: digest.digestId, dueAt: digest.dueAt, opener: digest.digestId === alertId };
}

export function admitAlert(
  state: BurstState,
  alertId: string,
  now: number,
  rule: BurstRule,
): { state: BurstState; decision: BurstDecision } {
  const holding = digestHolding(state, alertId);
  if (holding !== undefined) return { state, decision: held(holding, alertId) };
  const before = state.recent.find((r) => r.alertId === alertId);
  if (before !== undefined) {
    // Remembered but in no unsent digest: it went alone, or in a digest already sent.
    const decision: BurstDecision =
      before.digestId === undefined ? { kind: 'alone' } : { kind: 'sent', digestId: before.digestId };
    return { state, decision };
  }

  const admittedInWindow = state.recent.filter((r) => r.at > now - rule.windowMs).length;
  const remember = (digestId?: string): BurstState['recent'] =>
    [...state.recent, digestId === undefined ? { alertId, at: now } : { alertId, at: now, digestId }].slice(
      -rule.limit,
    );

  if (admittedInWindow < rule.limit) {
    return { state: { ...state, recent: remember() }, decision: { kind: 'alone' } };
  }
  const open: Digest =
    state.open === undefined
      ? { digestId: alertId, openedAt: now, dueAt: now + rule.holdMs, alertIds: [alertId] }
      : { ...state.open, alertIds: [...state.open.alertIds, alertId] };
  return {
    state: { ...state, recent: remember(open.digestId), open },
    decision: held(open, alertId),
  };
}

export type DigestStep =
  /** Store `state` (the digest sealed), then send `digest`, then store digestSent(...). */
  | { kind: 'send'; state: BurstState; digest: Digest }
  /** Still collecting: look again at `dueAt`. */
  | { kind: 'notYet'; dueAt: number }
  /** Already sent (a repeated schedule): nothing to do. */
  | { kind: 'gone' };

/**
 * What to do when digest `digestId` is scheduled: send it if it is sealed (an earlier attempt did not finish) or
 * due (sealing it), wait if it is not due yet. Sealing before sending means alerts admitted while the message is
 * on its way open a new digest instead of joining one whose message is already written.
 */
export function digestStep(state: BurstState, digestId: string, now: number): DigestStep {
  const sealed = state.sealed.find((d) => d.digestId === digestId);
  if (sealed !== undefined) return { kind: 'send', state, digest: sealed };
  const { open } = state;
  if (open?.digestId !== digestId) return { kind: 'gone' };
  if (now < open.dueAt) return { kind: 'notYet', dueAt: open.dueAt };
  return { kind: 'send', state: { recent: state.recent, sealed: [...state.sealed, open] }, digest: open };
}

/** The state once digest `digestId` was accepted for delivery. Idempotent. */
export function digestSent(state: BurstState, digestId: string): BurstState {
  return { ...state, sealed: state.sealed.filter((d) => d.digestId !== digestId) };
}
