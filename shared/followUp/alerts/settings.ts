/**
 * What the alert parts are given. Configuration is read and validated in shared/config; these are the typed values
 * it hands over, with the defaults the settings table documents.
 */
import type { TeamsPayloadForm } from './teamsCard';

export interface AlertSettings {
  /** ALERT_ON_NEW_LEAD: false switches instant alerts off. */
  onNewLead: boolean;
  /** ALERT_BURST: more alerts than this for one recipient within a minute fold into one digest. */
  burst: number;
  /** TEAMS_WEBHOOK_URL and TEAMS_PAYLOAD; absent when no Teams message is sent. */
  teams?: TeamsSettings;
}

export interface TeamsSettings {
  /** A Workflows "When a Teams webhook request is received" URL. A secret: its `sig` parameter is the credential. */
  webhookUrl: string;
  /** `message` (the default) sends the message envelope; `card` the bare Adaptive Card, which some flows expect. */
  payload: TeamsPayloadForm;
}

export const DEFAULT_ALERT_BURST = 5;

/** How the "Mark as contacted" link in an alert is made: the same secret and lifetime as in reminders. */
export interface AlertLinkSettings {
  publicBaseUrl: string;
  secret: string;
  ttlDays: number;
}
