/** The app's settings, read once per group, and the whole configuration for tools and tests. */
import { all, type Checked, mapChecked, type SettingProblem } from './checked';
import {
  type AlertDeliverySettings,
  type HandOffSettings,
  type IntentSwitches,
  readAlertDelivery,
  readHandOff,
  readIntentSwitches,
  readSilence,
  readTeamsChannel,
  type SilenceSettings,
  type TeamsChannelSettings,
} from './delivery';
import {
  type ContactLinkKeys,
  type FollowUpPolicySettings,
  type OwnerRouting,
  readContactLinkKeys,
  readFollowUpPolicy,
  readOwnerRouting,
  readReminders,
  type ReminderDelivery,
  withLinkLifetime,
} from './followUp';
import { type MailSettings, readMail } from './mail';
import {
  type NurtureSettings,
  type QualificationSettings,
  readNurture,
  readQualification,
  readTrials,
  type TrialSettings,
} from './nurture';
import type { Env } from './reader';
import {
  type QueueSettings,
  type QueueTriesSettings,
  readQueue,
  readQueueTries,
  readStorage,
  readTables,
  type StorageSettings,
  type TableSettings,
} from './storage';
import { readTelemetry, type TelemetrySettings } from './telemetry';

/** Each group of settings, read on its own: one malformed setting spoils its group only. */
export interface Settings {
  storage: Checked<StorageSettings>;
  queue: Checked<QueueSettings>;
  queueTries: Checked<QueueTriesSettings>;
  tables: Checked<TableSettings>;
  followUpPolicy: Checked<FollowUpPolicySettings>;
  contactLinkKeys: Checked<ContactLinkKeys>;
  reminders: Checked<ReminderDelivery>;
  /** The two settings of `reminders` that assigning an owner needs, on their own (their problems are reminders'). */
  ownerRouting: Checked<OwnerRouting>;
  mail: Checked<MailSettings>;
  /** Optional: without it nothing is sent; while it is wrong, nothing is sent either (shared/telemetry.ts). */
  telemetry: Checked<TelemetrySettings>;
  alertDelivery: Checked<AlertDeliverySettings>;
  /** The alerts' Teams channel: while it is wrong the emails still go out, and the cards wait (deliverAlert). */
  teamsChannel: Checked<TeamsChannelSettings>;
  handOff: Checked<HandOffSettings>;
  /** Whether alerts and hand-offs are queued at all: never wrong, only on or off (delivery.ts). */
  intents: IntentSwitches;
  silence: Checked<SilenceSettings>;
  nurture: Checked<NurtureSettings>;
  qualification: Checked<QualificationSettings>;
  trials: Checked<TrialSettings>;
}

export function readSettings(env: Env): Settings {
  return {
    storage: readStorage(env),
    queue: readQueue(env),
    queueTries: readQueueTries(env),
    tables: readTables(env),
    followUpPolicy: readFollowUpPolicy(env),
    contactLinkKeys: readContactLinkKeys(env),
    reminders: readReminders(env),
    ownerRouting: readOwnerRouting(env),
    mail: readMail(env),
    telemetry: readTelemetry(env),
    alertDelivery: readAlertDelivery(env),
    teamsChannel: readTeamsChannel(env),
    handOff: readHandOff(env),
    intents: readIntentSwitches(env),
    silence: readSilence(env),
    nurture: readNurture(env),
    qualification: readQualification(env),
    trials: readTrials(env),
  };
}

let cached: Settings | undefined;

/** The process's settings, read on first use. Never throws. */
export function appSettings(): Settings {
  cached ??= readSettings(process.env);
  return cached;
}

/** Every setting the app has, for tools and tests that use all of it. */
export type AppConfig = StorageSettings &
  QueueSettings &
  QueueTriesSettings &
  TableSettings &
  FollowUpPolicySettings &
  Omit<ReminderDelivery, 'contactLinkTtlDays'> &
  MailSettings &
  TelemetrySettings &
  AlertDeliverySettings &
  TeamsChannelSettings &
  HandOffSettings &
  SilenceSettings &
  NurtureSettings &
  QualificationSettings &
  TrialSettings & {
    contactLink: ContactLinkKeys['contactLink'] & { ttlDays: number };
  };

/**
 * Every group whose settings no other group reads (ownerRouting is left out: its settings are reminders' too), so
 * that together they are the whole configuration and their problems are each named once.
 */
function everyGroup(s: Settings) {
  return [
    s.storage,
    s.queue,
    s.queueTries,
    s.tables,
    s.followUpPolicy,
    s.contactLinkKeys,
    s.reminders,
    s.mail,
    s.telemetry,
    s.alertDelivery,
    s.teamsChannel,
    s.handOff,
    s.silence,
    s.nurture,
    s.qualification,
    s.trials,
  ] as const;
}

/** The whole configuration, or every problem in it. */
export function loadConfig(env: Env): Checked<AppConfig> {
  return mapChecked(all(...everyGroup(readSettings(env))), (v): AppConfig => withLinkLifetime(v));
}

/** Every problem of every group, each once. */
export function allProblems(s: Settings): SettingProblem[] {
  return everyGroup(s).flatMap((g) => (g.ok ? [] : g.problems));
}
