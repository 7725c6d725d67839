/**
 * What each function needs, by capability. A function checks only its own capability, so a missing mail setting
 * stops reminders and nothing else; `GET /api/health` lists every misconfigured capability by setting name.
 */
import { all, type Checked, mapChecked, settingNames, type SettingProblem } from './checked';
import { DEFAULT_POLICY, type FollowUpPolicySettings, withLinkLifetime } from './followUp';
import { DEFAULT_CADENCE_DAYS, DEFAULT_TRIAL_DAYS, type TrialSettings } from './nurture';
import type { Settings } from './settings';
import type { TelemetrySettings } from './telemetry';

/** ingestLead: a lead is accepted once it is on the queue, so the queue is all it needs. */
export const receiveSettings = (s: Settings) => all(s.storage, s.queue);

/** processLead, the sales API, status updates: the tables. */
export const recordSettings = (s: Settings) => all(s.storage, s.tables);

/** eraseLead: the tables and the poison queue, which can hold a copy of the lead. */
export const erasureSettings = (s: Settings) => all(s.storage, s.tables, s.queue);

/** keepPoisonedLead: the poison queue, how many tries poison a message, and the table that keeps it. */
export const keepPoisonedSettings = (s: Settings) => all(s.storage, s.tables, s.queue, s.queueTries);

/**
 * What keepPoisonedLead's last try needs to put a message back on its poison queue without expiry: everything but
 * the tables, so a wrong table setting is handled like a table that is down, and no lead ends where it expires.
 */
export const keepPoisonedLastTrySettings = (s: Settings) => all(s.storage, s.queue, s.queueTries);

/**
 * keepPoisonedAlert and keepPoisonedHandOff: how many tries poison a message, and the table that keeps it. Not the
 * lead queue's name: their poison queues are named with their own queues' settings.
 */
export const keepPoisonedCopySettings = (s: Settings) => all(s.storage, s.tables, s.queueTries);

/** As keepPoisonedLastTrySettings, for keepPoisonedAlert and keepPoisonedHandOff. */
export const keepPoisonedCopyLastTrySettings = (s: Settings) => all(s.storage, s.queueTries);

/** contactLead: the tables and the keys that verify a link. */
export const contactLinkSettings = (s: Settings) => all(s.storage, s.tables, s.contactLinkKeys);

/** sendReminders: everything about following up (the nurture cadence and trial lengths too), and a way to send mail. */
export const reminderSettings = (s: Settings) =>
  mapChecked(
    all(s.storage, s.tables, s.followUpPolicy, s.contactLinkKeys, s.reminders, s.mail, s.nurture, s.trials),
    withLinkLifetime,
  );

/** updateLead: the tables, and the qualification criteria and reasons a decision is checked against. */
export const decisionSettings = (s: Settings) => all(s.storage, s.tables, s.qualification);

/**
 * deliverAlert: the record, the burst and sent-mark tables, the link keys, the recipients' mail. Not the Teams
 * channel (`teamsChannel`): while it is wrong the emails go out and the cards wait with their messages.
 */
export const alertSettings = (s: Settings) =>
  mapChecked(all(s.storage, s.tables, s.alertDelivery, s.contactLinkKeys, s.reminders, s.mail), withLinkLifetime);

/**
 * handOffLead: the record, the hand-off state table, the webhook and its poison queue, and how the queue retries (a
 * change put back for a Retry-After counts its tries itself, up to maxDequeueCount).
 */
export const handOffSettings = (s: Settings) => all(s.storage, s.tables, s.queueTries, s.handOff);

/** watchSilence: the records (newest arrivals), its state row, who hears of a silence and a way to send mail. */
export const silenceSettings = (s: Settings) => all(s.storage, s.tables, s.silence, s.reminders, s.mail);

/** health: what it probes. */
export const probeSettings = (s: Settings) => all(s.storage, s.queue, s.tables);

/**
 * The follow-up policy for writing a record's follow-up entries. Recording a lead must not wait for a reminder
 * setting: while the policy is malformed, records get the default one (and reminder runs fail naming the setting;
 * the first run after the fix reschedules what it finds stale, see docs/reminders.md).
 */
export function policyOrDefault(s: Settings): {
  policy: FollowUpPolicySettings & { cadenceDays: readonly number[] };
  problems: SettingProblem[];
} {
  // The cadence falls back the same way: a record's nurture entry is rescheduled by the first run after the fix.
  const cadenceDays = s.nurture.ok ? s.nurture.value.cadenceDays : DEFAULT_CADENCE_DAYS;
  const problems = [s.followUpPolicy, s.nurture].flatMap((g) => (g.ok ? [] : g.problems));
  return s.followUpPolicy.ok
    ? { policy: { ...s.followUpPolicy.value, cadenceDays }, problems }
    : { policy: { ...DEFAULT_POLICY, cadenceDays }, problems };
}

/** Trial lengths for showing a lead (views, CSV, digests' labels): the defaults while OFFER_TRIAL_DAYS is malformed. */
export function trialsOrDefault(s: Settings): TrialSettings {
  return s.trials.ok ? s.trials.value : { offerTrialDays: new Map(), defaultTrialDays: { ...DEFAULT_TRIAL_DAYS } };
}

/** The key for hashing a caller's address, when there is a valid one; ingestion never waits for it. */
export function clientIpKey(s: Settings): string | undefined {
  return s.contactLinkKeys.ok ? s.contactLinkKeys.value.contactLink.secret : undefined;
}

/** Where processLead sends its custom events, and as whom; nothing is sent while the settings are wrong. */
export function telemetrySettings(s: Settings): TelemetrySettings {
  return s.telemetry.ok ? s.telemetry.value : {};
}

export interface MisconfiguredCapability {
  capability: string;
  settings: string[];
}

export function misconfiguredCapabilities(s: Settings): MisconfiguredCapability[] {
  const capabilities: [string, Checked<object>][] = [
    ['receive', receiveSettings(s)],
    ['record', recordSettings(s)],
    ['erasure', erasureSettings(s)],
    ['keepPoisoned', keepPoisonedSettings(s)],
    ['keepPoisonedCopies', keepPoisonedCopySettings(s)],
    ['contactLinks', contactLinkSettings(s)],
    ['reminders', reminderSettings(s)],
    ['alerts', alertSettings(s)],
    ['teamsAlerts', s.teamsChannel],
    ['handOff', handOffSettings(s)],
    ['silence', silenceSettings(s)],
    ['decisions', decisionSettings(s)],
    ['nurture', all(s.nurture, s.trials)],
    ['telemetry', s.telemetry],
  ];
  return capabilities.flatMap(([capability, c]) => (c.ok ? [] : [{ capability, settings: settingNames(c.problems) }]));
}

/**
 * What processing adds to a save (owner, alert, hand-off). Recording a lead never waits for them, and an alert or a
 * hand-off never waits for its delivery settings either: it is queued whenever its feature is on (delivery.ts
 * `IntentSwitches`), and while the Teams URL, the webhook secret or the mail settings are wrong it waits with its
 * deliverer, which fails naming them and keeps the message (docs/alerts.md, docs/crm.md). An owner needs the owner
 * routing only; while that is wrong no owner is assigned (the problems are returned for a warning), so a new lead
 * has nobody to alert.
 */
export function processingEffectSettings(s: Settings): {
  owners?: { routes: ReadonlyMap<string, string[]>; defaults: readonly string[] };
  alertQueue?: string;
  handOffQueue?: string;
  problems: SettingProblem[];
} {
  const { ownerRouting } = s;
  return {
    owners: ownerRouting.ok
      ? { routes: ownerRouting.value.reminderRoutes, defaults: ownerRouting.value.defaultRecipients }
      : undefined,
    ...s.intents,
    problems: ownerRouting.ok ? [] : ownerRouting.problems,
  };
}
