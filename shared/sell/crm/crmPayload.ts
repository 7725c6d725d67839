/**
 * What the CRM hand-off sends: the record as the API shows it (leadView), on create and on every change, in the
 * envelope Standard Webhooks recommends (`type`, `timestamp`, `data`) plus a `version`.
 *
 * Deliveries are retried and may arrive out of order, so each carries the record's version, which increases with
 * every change: a receiver keeps the highest version it has applied per `data.leadId` and drops a lower one. The
 * delivery id is made of the lead id and the version, so every retry or redelivery of one change has the same
 * `webhook-id`, the receiver's idempotency key.
 */
import type { LeadRecord } from '../../record/model';
import { type LeadView, leadView } from '../leadView';

export type CrmEventType = 'lead.created' | 'lead.updated';

export interface CrmPayload {
  type: CrmEventType;
  /** When the change happened (not when it is delivered: that is `webhook-timestamp`). */
  timestamp: string;
  /** The record's version after this change: strictly greater than any earlier change's. */
  version: number;
  data: LeadView;
}

export interface CrmDelivery {
  /** The `webhook-id`: `lead_<leadId>_v<version>`. */
  id: string;
  type: CrmEventType;
  /** The exact text to sign and send. */
  body: string;
}

export interface CrmChange {
  /** The record before the change; undefined when the change created it. */
  before: LeadRecord | undefined;
  after: LeadRecord;
  version: number;
  at: Date;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Whether a receiver would see a difference: the view changed (a repeated POST or a redelivery changes nothing). */
export function viewChanged(before: LeadRecord | undefined, after: LeadRecord): boolean {
  if (before === undefined) return true;
  return JSON.stringify(canonical(leadView(before))) !== JSON.stringify(canonical(leadView(after)));
}

export function crmDelivery(change: CrmChange): CrmDelivery {
  if (!Number.isSafeInteger(change.version) || change.version < 1)
    throw new RangeError('A CRM delivery needs the record version, a whole number of at least 1');
  const type: CrmEventType = change.before === undefined ? 'lead.created' : 'lead.updated';
  const payload: CrmPayload = {
    type,
    timestamp: change.at.toISOString(),
    version: change.version,
    data: leadView(change.after),
  };
  return { id: `lead_${change.after.leadId}_v${change.version}`, type, body: JSON.stringify(payload) };
}
