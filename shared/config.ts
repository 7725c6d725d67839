/**
 * Every app setting the app reads, read and validated once, per group (config/). A missing or malformed setting
 * never stops the app from loading: each function asks for its capability's groups (config/capabilities.ts) and,
 * when one is wrong, answers "misconfigured" naming the settings, while the functions that do not use it run.
 */
export * from './config/capabilities';
export type { Checked, SettingProblem } from './config/checked';
export { all, mapChecked, settingNames, valueOrThrow } from './config/checked';
export type { AlertDeliverySettings, HandOffSettings, SilenceSettings, TeamsChannelSettings } from './config/delivery';
export {
  alertQueueBindingName,
  DEFAULT_ALERT_QUEUE_NAME,
  DEFAULT_HANDOFF_QUEUE_NAME,
  handOffQueueBindingName,
} from './config/delivery';
export type { ContactLinkKeys, FollowUpPolicySettings, ReminderDelivery } from './config/followUp';
export { DEFAULT_POLICY, DEFAULT_REMINDER_SCHEDULE, reminderBindingSchedule } from './config/followUp';
export type { MailApiSettings, MailSettings, MailTransportKind, SmtpSettings } from './config/mail';
export { DEFAULT_GRAPH_ENDPOINT } from './config/mail';
export { prepare } from './config/prepare';
export { settingsReport } from './config/report';
export type { AppConfig, Settings } from './config/settings';
export { appSettings, loadConfig, readSettings } from './config/settings';
export type { QueueSettings, QueueTriesSettings, StorageSettings, TableSettings } from './config/storage';
export { queueBindingName } from './config/storage';
export type { TelemetrySettings } from './config/telemetry';
