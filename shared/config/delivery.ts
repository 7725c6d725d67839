/**
 * Delivery downstream of processing: instant alerts, their Teams channel, the CRM hand-off and the silence alarm.
 * Each is its own group, so a wrong Teams URL stops the Teams cards only (the emails go out) and a wrong webhook
 * secret stops the hand-off only.
 */
import { DEFAULT_ALERT_BURST, type TeamsSettings } from '../followUp/alerts/settings';
import type { TeamsPayloadForm } from '../followUp/alerts/teamsCard';
import { DEFAULT_SILENCE_ALERT_DAYS } from '../ops/silence';
import { crmUrlProblem } from '../sell/crm/crmSender';
import { parseWebhookSecret } from '../sell/crm/standardWebhooks';
import type { Checked } from './checked';
import { type Env, type Reader, readGroup } from './reader';
import { QUEUE_NAME, QUEUE_NAME_RULE } from './storage';

export const DEFAULT_ALERT_QUEUE_NAME = 'lead-alerts';
export const DEFAULT_HANDOFF_QUEUE_NAME = 'lead-handoffs';

export interface AlertDeliverySettings {
  alerts: {
    /** ALERT_ON_NEW_LEAD: false switches instant alerts off (alerts still queued are dropped). */
    onNewLead: boolean;
    /** ALERT_BURST. */
    burst: number;
    queueName: string;
    poisonQueueName: string;
  };
}

/** The alerts' Teams channel, read apart from the rest of the alerts so that the email channel never waits for it. */
export interface TeamsChannelSettings {
  /** Absent when TEAMS_WEBHOOK_URL is not set. */
  teams?: TeamsSettings;
}

export interface HandOffSettings {
  handOff: {
    queueName: string;
    poisonQueueName: string;
    /** Absent when WEBHOOK_URL is not set: nothing is handed off. */
    webhook?: { url: string; keys: Buffer[] };
  };
}

export interface SilenceSettings {
  silence: {
    /** SILENCE_ALERT_DAYS; 0 turns the alarm off. */
    days: number;
    /** OPS_EMAIL as written (addresses separated by commas or semicolons); empty falls back (ops/silence.ts). */
    opsEmail?: string;
  };
}

function queueName(r: Reader, name: string, fallback: string): { queueName: string; poisonQueueName: string } {
  const queue = r.matching(name, fallback, QUEUE_NAME, QUEUE_NAME_RULE);
  return { queueName: queue, poisonQueueName: `${queue}-poison` };
}

function flag(r: Reader, name: string, fallback: boolean): boolean {
  const text = r.raw(name);
  if (text === undefined) return fallback;
  if (text === 'true' || text === 'false') return text === 'true';
  r.problem(name, `${name} is "${text}": expected true or false`);
  return fallback;
}

function wholeNumber(r: Reader, name: string, fallback: number, min: number, max: number): number {
  const value = r.number(name, fallback, min, max);
  if (Number.isInteger(value)) return value;
  r.problem(name, `${name} is "${value}": expected a whole number from ${min} to ${max}`);
  return fallback;
}

function readTeams(r: Reader): TeamsSettings | undefined {
  // Without a URL there is no Teams channel, and TEAMS_PAYLOAD is not read: a stray one must not hold the cards of a
  // channel nobody set up. With one given but unresolved, the channel is wanted and wrong: the cards wait for it.
  if (!r.given('TEAMS_WEBHOOK_URL')) return undefined;
  const url = r.raw('TEAMS_WEBHOOK_URL');
  const payloadText = r.raw('TEAMS_PAYLOAD') ?? 'message';
  const payload: TeamsPayloadForm = payloadText === 'card' ? 'card' : 'message';
  if (payloadText !== 'card' && payloadText !== 'message')
    r.problem('TEAMS_PAYLOAD', `TEAMS_PAYLOAD is "${payloadText}": expected message or card`);
  if (url === undefined) return undefined;
  // The URL is a credential: the problem never quotes it.
  const problem = crmUrlProblem(url);
  if (problem !== undefined)
    r.problem('TEAMS_WEBHOOK_URL', 'TEAMS_WEBHOOK_URL must be the https:// URL of a Workflows webhook trigger');
  return { webhookUrl: url, payload };
}

/** The queue the alert trigger binds to, needed at registration (as queueBindingName for leads). */
export function alertQueueBindingName(env: Env): string {
  return env.ALERT_QUEUE_NAME?.trim() || DEFAULT_ALERT_QUEUE_NAME;
}

export function handOffQueueBindingName(env: Env): string {
  return env.HANDOFF_QUEUE_NAME?.trim() || DEFAULT_HANDOFF_QUEUE_NAME;
}

/**
 * Which intents processing and the sales API make, and on which queues, decided from the least they can know so
 * that no setting of the delivery itself (a Teams URL, a webhook secret, an unresolved Key Vault reference) drops
 * one: an intent made while such a setting is wrong waits on its queue, its deliverer fails naming the setting,
 * retries, and keeps the message once poisoned (`npm run replay-poison` sends it back after the fix).
 */
export interface IntentSwitches {
  /** Undefined only while ALERT_ON_NEW_LEAD is exactly false. */
  alertQueue?: string;
  /** Undefined only while WEBHOOK_URL is not set at all. */
  handOffQueue?: string;
}

export function readIntentSwitches(env: Env): IntentSwitches {
  // Only "false" turns alerts off: a malformed value is more likely a typo of a setting someone wanted on, and an
  // alert queued in error is dropped by deliverAlert once the value reads false.
  const alertsOff = env.ALERT_ON_NEW_LEAD?.trim() === 'false';
  // Set at all, an unresolved reference or a malformed URL included: the hand-off waits for the fix.
  const handOffOn = (env.WEBHOOK_URL?.trim() ?? '') !== '';
  return {
    alertQueue: alertsOff ? undefined : alertQueueBindingName(env),
    handOffQueue: handOffOn ? handOffQueueBindingName(env) : undefined,
  };
}

export function readAlertDelivery(env: Env): Checked<AlertDeliverySettings> {
  return readGroup(env, (r) => ({
    alerts: {
      onNewLead: flag(r, 'ALERT_ON_NEW_LEAD', true),
      burst: wholeNumber(r, 'ALERT_BURST', DEFAULT_ALERT_BURST, 1, 1000),
      ...queueName(r, 'ALERT_QUEUE_NAME', DEFAULT_ALERT_QUEUE_NAME),
    },
  }));
}

export function readTeamsChannel(env: Env): Checked<TeamsChannelSettings> {
  return readGroup(env, (r) => ({ teams: readTeams(r) }));
}

export function readHandOff(env: Env): Checked<HandOffSettings> {
  return readGroup(env, (r) => {
    const queue = queueName(r, 'HANDOFF_QUEUE_NAME', DEFAULT_HANDOFF_QUEUE_NAME);
    const url = r.raw('WEBHOOK_URL');
    // Given, not read: a secret left as an unresolved Key Vault reference is named as that, not as missing.
    const secretGiven = r.given('WEBHOOK_SECRET');
    const secret = r.raw('WEBHOOK_SECRET');
    if (url === undefined) {
      if (secretGiven) r.problem('WEBHOOK_URL', 'WEBHOOK_SECRET is set but WEBHOOK_URL is not: set both, or neither');
      return { handOff: queue };
    }
    const problem = crmUrlProblem(url);
    if (problem !== undefined) r.problem('WEBHOOK_URL', `WEBHOOK_URL ${problem}`);
    if (!secretGiven) {
      r.problem('WEBHOOK_SECRET', 'WEBHOOK_SECRET is missing: expected whsec_ and base64 of 24 to 64 random bytes');
      return { handOff: queue };
    }
    if (secret === undefined) return { handOff: queue };
    const key = parseWebhookSecret(secret);
    if (!key.ok) {
      r.problem('WEBHOOK_SECRET', `WEBHOOK_SECRET ${key.problem}`);
      return { handOff: queue };
    }
    return { handOff: { ...queue, webhook: { url, keys: [key.key] } } };
  });
}

export function readSilence(env: Env): Checked<SilenceSettings> {
  return readGroup(env, (r) => {
    const days = wholeNumber(r, 'SILENCE_ALERT_DAYS', DEFAULT_SILENCE_ALERT_DAYS, 0, 365);
    const opsEmail = r.raw('OPS_EMAIL');
    if (opsEmail !== undefined) r.emails('OPS_EMAIL', opsEmail);
    return { silence: { days, opsEmail } };
  });
}
