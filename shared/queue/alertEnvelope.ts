/**
 * The messages on the alert queue (ALERT_QUEUE_NAME), beside the lead envelope: small, versioned, no customer data.
 *  - `alert`: processing decided that one arrival alerts one recipient. The deliverer reads the rest from the
 *    record when it delivers, so the alert shows the latest the app knows; what it cannot read there (the
 *    decision, made by comparing the record before and after the arrival, and the account line) travels here.
 *  - `digest`: the deliverer's own reminder to send a recipient's held alerts once the digest is due, put on the
 *    queue with a visibility delay (burst.ts, docs/alerts.md).
 */
import type { AlertReason, AlertStage } from '../followUp/alerts/decision';
import { isStage } from '../marketplace/stage';
import { isUlid } from '../record/keys';
import { encodeQueueMessage, queueObject } from './queueJson';

export interface AlertEnvelope {
  v: 1;
  kind: 'alert';
  /** The arrival event's id: one lead event, one alert, whatever the redeliveries. */
  alertId: string;
  leadId: string;
  /** The lead's owner (one address). A lead without an owner alerts each route recipient: one message each. */
  recipient: string;
  reason: AlertReason;
  stage: AlertStage;
  previousStage?: AlertStage;
  /** When processing stored the arrival and decided to alert: the start of the speed-to-lead clock. */
  raisedAt: string;
  /** e.g. "3rd person from fabrikam.com this week"; shown as given, on one line. */
  accountLine?: string;
}

export interface DigestEnvelope {
  v: 1;
  kind: 'digest';
  recipient: string;
  digestId: string;
}

export type AlertQueueMessage = AlertEnvelope | DigestEnvelope;

/** Base64, as the queue trigger expects (host.json messageEncoding). */
export function encodeAlertMessage(message: AlertQueueMessage): string {
  return encodeQueueMessage(message);
}

export type AlertMessageResult = { ok: true; message: AlertQueueMessage } | { ok: false; reason: string };

const ID = /^[0-9A-Za-z-]{1,64}$/;
const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;
const REASONS: readonly AlertReason[] = ['newLead', 'stageRaised'];

function alertStage(value: unknown): AlertStage | undefined {
  return isStage(value) && value !== 'doNotContact' ? value : undefined;
}

/** The trigger hands over the decoded message, already JSON-parsed when it was JSON. Reasons name fields only. */
export function parseAlertMessage(raw: unknown): AlertMessageResult {
  const read = queueObject(raw);
  if (!read.ok) return read;
  const m = read.value;
  if (m.v !== 1) return { ok: false, reason: `unknown alert message version ${JSON.stringify(m.v)}` };
  if (typeof m.recipient !== 'string' || !ADDRESS.test(m.recipient))
    return { ok: false, reason: 'recipient is not an email address' };
  if (m.kind === 'digest') {
    if (typeof m.digestId !== 'string' || !ID.test(m.digestId)) return { ok: false, reason: 'digestId is not an id' };
    return { ok: true, message: { v: 1, kind: 'digest', recipient: m.recipient, digestId: m.digestId } };
  }
  if (m.kind !== 'alert') return { ok: false, reason: `unknown alert message kind ${JSON.stringify(m.kind)}` };
  if (typeof m.alertId !== 'string' || !ID.test(m.alertId)) return { ok: false, reason: 'alertId is not an id' };
  if (typeof m.leadId !== 'string' || !isUlid(m.leadId)) return { ok: false, reason: 'leadId is not a ULID' };
  const reason = REASONS.find((r) => r === m.reason);
  if (reason === undefined) return { ok: false, reason: 'reason is not newLead or stageRaised' };
  const stage = alertStage(m.stage);
  if (stage === undefined) return { ok: false, reason: 'stage is not interest, trial or active' };
  const previousStage = m.previousStage === undefined ? undefined : alertStage(m.previousStage);
  if (m.previousStage !== undefined && previousStage === undefined)
    return { ok: false, reason: 'previousStage is not interest, trial or active' };
  if (typeof m.raisedAt !== 'string' || !Number.isFinite(Date.parse(m.raisedAt)))
    return { ok: false, reason: 'raisedAt is not a date' };
  if (m.accountLine !== undefined && typeof m.accountLine !== 'string')
    return { ok: false, reason: 'accountLine is not text' };
  const message: AlertEnvelope = {
    v: 1,
    kind: 'alert',
    alertId: m.alertId,
    leadId: m.leadId,
    recipient: m.recipient,
    reason,
    stage,
    raisedAt: m.raisedAt,
  };
  if (previousStage !== undefined) message.previousStage = previousStage;
  if (typeof m.accountLine === 'string') message.accountLine = m.accountLine.slice(0, 200);
  return { ok: true, message };
}
