/**
 * Delivers what the alert queue carries (queue/alertEnvelope.ts): an alert goes out at once, or is held for its
 * recipient's digest (burst.ts), and a due digest goes out as one message. Email always, Teams when set.
 *
 * Exactly once per channel as far as storage allows: each channel's success is marked (SentMarks) right after the
 * transport took the message, and a redelivered message skips what is marked. The one window is a crash (or a
 * storage failure) between the transport taking the message and the mark being written: then that channel sends
 * it again on the retry. The burst state is written before anything is sent, with its ETag, so two instances
 * handling alerts for one recipient agree on what goes alone and what is held. docs/alerts.md.
 *
 * A channel that fails does not stop the other: both are tried, each success is marked, and then the failure is
 * thrown so the queue retries (and, after maxDequeueCount tries, poisons) the message; the retry sends only what
 * is still missing.
 */
import type { Clock } from '../../clock';
import type { TrialSettings } from '../../config/nurture';
import type { Mailer } from '../../mail/mailer';
import type { AlertEnvelope, DigestEnvelope } from '../../queue/alertEnvelope';
import { ERASED_FLAG } from '../../record/model';
import type { RecordStore } from '../../record/recordStore';
import { renderAlertDigestEmail, renderAlertEmail } from './alertEmail';
import { type AlertMessage, buildAlertMessage } from './alertMessage';
import type { BurstStore, Channel, SentMarks } from './alertTables';
import { admitAlert, type BurstRule, type BurstState, type Digest, digestSent, digestStep } from './burst';
import type { AlertLinkSettings } from './settings';
import { type AdaptiveCard, alertCard, alertDigestCard } from './teamsCard';
import type { TeamsSendResult } from './teamsSender';

export interface AlertLog {
  info(line: string): void;
  warn(line: string): void;
}

export interface AlertDeliveryDeps {
  records: Pick<RecordStore, 'getRecord' | 'listEvents'>;
  bursts: BurstStore;
  sent: SentMarks;
  mailer: Mailer;
  /** Posts a card to Teams; undefined when TEAMS_WEBHOOK_URL is not set. */
  teams?: (card: AdaptiveCard) => Promise<TeamsSendResult>;
  /** Puts a digest message on the alert queue, visible after `delayMs`. */
  scheduleDigest(message: DigestEnvelope, delayMs: number): Promise<void>;
  clock: Clock;
  link: AlertLinkSettings;
  /** Trial lengths (OFFER_TRIAL_DAYS) for the trial's label; absent: no label. */
  trials?: TrialSettings;
  rule: BurstRule;
  log: AlertLog;
}

export type AlertOutcome =
  { kind: 'sent'; channels: Channel[] } | { kind: 'held'; digestId: string } | { kind: 'notSent'; why: string };

/** A channel failed after the others were tried; the queue retries the message and the retry sends what is missing. */
export class AlertDeliveryError extends Error {
  constructor(readonly failures: string[]) {
    super(`Alert delivery incomplete, retried by the queue: ${failures.join('; ')}`);
    this.name = 'AlertDeliveryError';
  }
}

// Conflicting writes of one recipient's state are retried; more than this many in a row means something is wrong.
const MAX_STATE_ATTEMPTS = 20;

async function updateState(
  deps: AlertDeliveryDeps,
  recipient: string,
  change: (state: BurstState) => { state: BurstState; before?: () => Promise<void> },
): Promise<BurstState> {
  return deps.bursts.inTurn(recipient, async () => {
    for (let attempt = 1; attempt <= MAX_STATE_ATTEMPTS; attempt++) {
      const { state, etag } = await deps.bursts.read(recipient);
      const next = change(state);
      if (next.state === state) return state;
      await next.before?.();
      if ((await deps.bursts.write(recipient, next.state, etag)) === 'saved') return next.state;
    }
    throw new Error(`The burst state of a recipient kept changing under ${MAX_STATE_ATTEMPTS} attempts to update it`);
  });
}

/** Why a record no longer gets an alert, or undefined. */
function notAlertable(record: { status: string; flags: readonly string[] } | undefined): string | undefined {
  if (record === undefined) return 'the record is gone (erased)';
  if (record.flags.includes(ERASED_FLAG)) return 'the record was erased';
  if (record.status !== 'new') return 'the lead was contacted meanwhile';
  return undefined;
}

async function messageFor(deps: AlertDeliveryDeps, alert: AlertEnvelope): Promise<AlertMessage | string> {
  const stored = await deps.records.getRecord(alert.leadId);
  const why = notAlertable(stored?.record);
  if (why !== undefined || stored === undefined) return why ?? 'the record is gone';
  const events = await deps.records.listEvents(alert.leadId);
  return buildAlertMessage(
    {
      decision: { reason: alert.reason, stage: alert.stage, previousStage: alert.previousStage },
      eventId: alert.alertId,
      record: stored.record,
      events,
      accountLine: alert.accountLine,
    },
    deps.link,
    deps.clock(),
    deps.trials,
  );
}

/** Sends on each channel not yet marked for `id`, marks each success, then throws if any failed. */
async function sendChannels(
  deps: AlertDeliveryDeps,
  id: string,
  recipient: string,
  render: { email: () => ReturnType<typeof renderAlertEmail>; card: () => AdaptiveCard },
): Promise<Channel[]> {
  const failures: string[] = [];
  const sent: Channel[] = [];
  if (!(await deps.sent.has(id, 'email', recipient))) {
    try {
      await deps.mailer.send({ to: [recipient], ...render.email() });
      sent.push('email');
      await deps.sent.mark(id, 'email', recipient, deps.clock());
    } catch (e) {
      failures.push(`email: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (deps.teams !== undefined && !(await deps.sent.has(id, 'teams', recipient))) {
    const result = await deps.teams(render.card());
    if (result.ok) {
      sent.push('teams');
      await deps.sent.mark(id, 'teams', recipient, deps.clock());
    } else {
      failures.push(`Teams: ${result.message}`);
    }
  }
  if (failures.length > 0) throw new AlertDeliveryError(failures);
  return sent;
}

/** Digests that should already have gone: scheduled again at once, in case their own message was lost. */
function overdue(state: BurstState, now: number): Digest[] {
  return [...state.sealed, ...(state.open !== undefined && state.open.dueAt <= now ? [state.open] : [])];
}

export async function deliverAlert(alert: AlertEnvelope, deps: AlertDeliveryDeps): Promise<AlertOutcome> {
  const now = deps.clock().getTime();
  let decision: ReturnType<typeof admitAlert>['decision'] = { kind: 'alone' };
  const state = await updateState(deps, alert.recipient, (current) => {
    const admitted = admitAlert(current, alert.alertId, now, deps.rule);
    decision = admitted.decision;
    // A held alert's message is kept before the state names it, so a digest always finds what it holds.
    return {
      state: admitted.state,
      before: admitted.decision.kind === 'held' ? () => deps.bursts.hold(alert) : undefined,
    };
  });
  const admitted = decision as ReturnType<typeof admitAlert>['decision'];
  for (const late of overdue(state, now)) {
    if (admitted.kind !== 'held' || late.digestId !== admitted.digestId)
      await deps.scheduleDigest({ v: 1, kind: 'digest', recipient: alert.recipient, digestId: late.digestId }, 0);
  }

  if (admitted.kind === 'sent') return { kind: 'notSent', why: `already sent in digest ${admitted.digestId}` };
  if (admitted.kind === 'held') {
    // The opener schedules the digest (again, on a redelivery: a second schedule finds nothing to do).
    if (admitted.opener) {
      await deps.scheduleDigest(
        { v: 1, kind: 'digest', recipient: alert.recipient, digestId: admitted.digestId },
        Math.max(0, admitted.dueAt - now),
      );
    }
    return { kind: 'held', digestId: admitted.digestId };
  }

  const message = await messageFor(deps, alert);
  if (typeof message === 'string') return { kind: 'notSent', why: message };
  const channels = await sendChannels(deps, alert.alertId, alert.recipient, {
    email: () => renderAlertEmail(message),
    card: () => alertCard(message, alert.recipient),
  });
  return { kind: 'sent', channels };
}

export async function deliverDigest(digest: DigestEnvelope, deps: AlertDeliveryDeps): Promise<AlertOutcome> {
  const { recipient, digestId } = digest;
  const now = deps.clock().getTime();
  let step: ReturnType<typeof digestStep> = { kind: 'gone' };
  await updateState(deps, recipient, (current) => {
    step = digestStep(current, digestId, now);
    // Sealed before it is sent: alerts admitted from now on open a new digest.
    return { state: step.kind === 'send' ? step.state : current };
  });
  const decided = step as ReturnType<typeof digestStep>;
  if (decided.kind === 'gone') return { kind: 'notSent', why: 'already sent' };
  if (decided.kind === 'notYet') {
    await deps.scheduleDigest(digest, Math.max(0, decided.dueAt - now));
    return { kind: 'notSent', why: 'not due yet: scheduled again' };
  }

  const held = await deps.bursts.held(recipient, decided.digest.alertIds);
  const messages: AlertMessage[] = [];
  for (const alert of held) {
    const message = await messageFor(deps, alert);
    if (typeof message !== 'string') messages.push(message);
  }
  if (held.length < decided.digest.alertIds.length)
    deps.log.warn(`Digest ${digestId}: ${decided.digest.alertIds.length - held.length} held alert(s) were not found`);

  let channels: Channel[] = [];
  if (messages.length > 0) {
    channels = await sendChannels(deps, `digest-${digestId}`, recipient, {
      email: () => renderAlertDigestEmail(messages, deps.rule.limit),
      card: () => alertDigestCard(messages, deps.rule.limit, recipient),
    });
  }
  await updateState(deps, recipient, (current) => ({ state: digestSent(current, digestId) }));
  await deps.bursts.release(recipient, decided.digest.alertIds);
  return messages.length > 0
    ? { kind: 'sent', channels }
    : { kind: 'notSent', why: 'no alert of the digest is still uncontacted' };
}
