/**
 * What an alert says, whatever carries it (email, Teams): who, company, offer, stage, the customer's actions so
 * far and the signed "Mark as contacted" link. Built when the alert is delivered, from the record as it is then,
 * so the queue message need not carry personal data and the alert shows the latest the app knows.
 */
import type { TrialSettings } from '../../config/nurture';
import { STAGE_RANK } from '../../marketplace/stage';
import type { LeadEvent, LeadRecord } from '../../record/model';
import { withoutRepeats } from '../../record/projection';
import { DAY_MS } from '../../time';
import { contactLinkUrl, signContactToken } from '../contactToken';
import type { CustomerAction, LeadContact } from '../leadMail';
import { trialView } from '../recordTrial';
import type { AlertReason, AlertStage } from './decision';
import type { AlertLinkSettings } from './settings';

export interface AlertMessage extends LeadContact {
  /** The arrival event that raised the alert: one lead event, one alert. */
  alertId: string;
  leadId: string;
  reason: AlertReason;
  /** When the lead that raised the alert arrived. */
  at: Date;
  stage: AlertStage;
  /** For a stage rise: the stage the customer came from. */
  previousStage?: AlertStage;
  /** The customer's marketplace actions, oldest first (ours, status changes and reminders, are left out). */
  actions: CustomerAction[];
  contactUrl: string;
  /** Supplied by the caller, e.g. "3rd person from fabrikam.com this week". Shown as given, on one line. */
  accountLine?: string;
  /** A free trial or test drive: "trial ends in 2 days", and the time left for the order. */
  trial?: { label: string; leftMs: number };
}

export interface AlertSource {
  decision: { reason: AlertReason; stage: AlertStage; previousStage?: AlertStage };
  /** The arrival that raised the alert. */
  eventId: string;
  record: LeadRecord;
  /** The record's history (any order); only arrivals are shown. */
  events: readonly LeadEvent[];
  accountLine?: string;
}

/** `trials`: the trial lengths, for the trial's label; without them no label is shown. */
export function buildAlertMessage(
  source: AlertSource,
  link: AlertLinkSettings,
  now: Date,
  trials?: TrialSettings,
): AlertMessage {
  const { record, decision } = source;
  const trial = trials === undefined ? undefined : trialView(record, trials, now);
  const raisedBy = source.events.find((e) => e.kind === 'arrival' && e.eventId === source.eventId);
  const expires = new Date(now.getTime() + link.ttlDays * DAY_MS);
  const token = signContactToken(record.leadId, expires, link.secret);
  return {
    alertId: source.eventId,
    leadId: record.leadId,
    reason: decision.reason,
    at: new Date(raisedBy?.at ?? record.lastSeenAt),
    stage: decision.stage,
    previousStage: decision.previousStage,
    firstName: record.firstName,
    lastName: record.lastName,
    title: record.title,
    company: record.company,
    country: record.country,
    email: record.email,
    phone: record.phone,
    phoneE164: record.phoneE164,
    offerTitle: record.offerTitle,
    offerId: record.offerId,
    actions: withoutRepeats(source.events)
      .flatMap((e) =>
        e.kind === 'arrival' ? [{ at: new Date(e.at), source: e.source, action: e.action, stage: e.stage }] : [],
      )
      .sort((a, b) => a.at.getTime() - b.at.getTime()),
    contactUrl: contactLinkUrl(link.publicBaseUrl, record.leadId, token),
    accountLine: source.accountLine,
    ...(trial === undefined ? {} : { trial: { label: trial.label, leftMs: trial.leftMs } }),
  };
}

/** Running trials ending soonest first, then ended ones (most recently ended first), then the rest. */
function trialRank(alert: AlertMessage): number {
  const left = alert.trial?.leftMs;
  if (left === undefined) return Number.MAX_SAFE_INTEGER;
  return left > 0 ? left : Number.MAX_SAFE_INTEGER / 2 - left;
}

/** Most valuable first, then in the order they arrived, ties by id: the same alerts always render the same way. */
export function sortAlerts(alerts: readonly AlertMessage[]): AlertMessage[] {
  return [...alerts].sort(
    (a, b) =>
      STAGE_RANK[b.stage] - STAGE_RANK[a.stage] ||
      trialRank(a) - trialRank(b) ||
      a.at.getTime() - b.at.getTime() ||
      (a.alertId < b.alertId ? -1 : a.alertId > b.alertId ? 1 : 0),
  );
}
