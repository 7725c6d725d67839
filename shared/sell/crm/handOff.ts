/**
 * Delivers one hand-off message: reads the record as it is now, builds the payload (crmPayload.ts) with the change's
 * version, signs and posts it (crmSender.ts), and keeps per lead the newest version delivered, so an older change
 * arriving after a newer one was delivered is skipped (the receiver would drop it anyway; this saves the call).
 *
 * Outcomes map onto the queue: delivered returns; a refusal worth retrying throws, so the queue retries after its
 * own delay; a permanent refusal (a 4xx other than 408 and 429) goes to the poison queue at once instead of being
 * retried for nothing. Every retry of one change has the same webhook-id, the receiver's idempotency key: a
 * delivery whose answer was lost is sent again and dropped there. docs/crm.md.
 *
 * A receiver's Retry-After is honoured (up to MAX_DEFER_SECONDS): the queue cannot lengthen its own retry delay for
 * one message, so when it asks for longer than that delay (`queueRetrySeconds`) a copy goes back on the queue,
 * invisible that long, and this message completes. A shorter wait (0, a past date) is the queue's own retry: a copy
 * visible at once would spend every try within seconds. Duplicates are harmless (the version is skipped once
 * delivered). The copy carries the tries made so far (`tries`), because the
 * queue counts dequeues per message and would start a copy at one: the tries of all copies count towards one limit
 * (`maxTries`, the host's maxDequeueCount), and the try that reaches it poisons the change instead of retrying, so a
 * receiver that keeps answering 429 cannot keep it going round.
 */
import type { TableClient } from '@azure/data-tables';

import { type HandOffEnvelope, withoutTries } from '../../queue/handOffEnvelope';
import type { RecordStore } from '../../record/recordStore';
import { once } from '../../storage/clients';
import { saveEntity } from '../../storage/conditionalWrite';
import { isNotFound } from '../../storage/tableErrors';
import { type CrmDelivery, crmDelivery } from './crmPayload';
import type { CrmSendResult } from './crmSender';

export interface HandOffStateStore {
  /** The newest version delivered for the lead (0: none yet). */
  read(leadId: string): Promise<{ delivered: number; etag?: string }>;
  write(leadId: string, delivered: number, etag: string | undefined): Promise<'saved' | 'conflict'>;
}

export interface HandOffDeps {
  records: Pick<RecordStore, 'getRecord'>;
  state: HandOffStateStore;
  send(delivery: CrmDelivery): Promise<CrmSendResult>;
  /** Puts the message text on the hand-off poison queue. */
  poison(text: string): Promise<void>;
  /** Puts a copy of the message back on the hand-off queue, invisible for `delaySeconds`. */
  defer(message: HandOffEnvelope, delaySeconds: number): Promise<void>;
  /** The tries a change gets in all, counting every copy (the host's maxDequeueCount). */
  maxTries: number;
  /** How long the queue itself waits before it retries a failed message (the host's visibilityTimeout). */
  queueRetrySeconds: number;
}

/** A receiver asking for more than an hour is still tried after an hour: a hand-off is late, not parked for days. */
export const MAX_DEFER_SECONDS = 3600;

export type HandOffOutcome =
  | { kind: 'delivered'; id: string; status: number }
  | { kind: 'skipped'; why: string }
  | { kind: 'deferred'; delaySeconds: number; tries: number; message: string }
  | { kind: 'poisoned'; why: 'refused' | 'retriesExhausted'; tries: number; message: string };

/** The receiver asked for a retry (or did not answer); the queue retries the message. */
export class HandOffRetryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandOffRetryError';
  }
}

async function recordDelivered(state: HandOffStateStore, leadId: string, version: number): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const current = await state.read(leadId);
    if (current.delivered >= version) return;
    if ((await state.write(leadId, version, current.etag)) === 'saved') return;
  }
  throw new Error(`The hand-off state of lead ${leadId} kept changing under 20 attempts to update it`);
}

/** `dequeueCount`: how often the queue has handed out this message, this time included. */
export async function handOffLead(
  message: HandOffEnvelope,
  deps: HandOffDeps,
  dequeueCount = 1,
): Promise<HandOffOutcome> {
  const { delivered } = await deps.state.read(message.leadId);
  if (delivered >= message.version)
    return { kind: 'skipped', why: `version ${delivered} was already delivered (this is ${message.version})` };
  const stored = await deps.records.getRecord(message.leadId);
  // An erased record is kept, anonymised and flagged, and handed off like that (docs/crm.md, Erasure): the CRM
  // hears of the erasure. Only a record that is not there at all has nothing to hand off.
  if (stored === undefined) return { kind: 'skipped', why: 'the record is not there' };
  // The payload's type follows from whether the change created the record; the data is the record as it is now.
  const delivery = crmDelivery({
    before: message.created ? undefined : stored.record,
    after: stored.record,
    version: message.version,
    at: new Date(message.at),
  });
  const result = await deps.send(delivery);
  if (result.ok) {
    await recordDelivered(deps.state, message.leadId, message.version);
    return { kind: 'delivered', id: delivery.id, status: result.status };
  }
  const tries = (message.tries ?? 0) + dequeueCount;
  if (!result.retry || tries >= deps.maxTries) {
    await deps.poison(JSON.stringify(withoutTries(message)));
    return { kind: 'poisoned', why: result.retry ? 'retriesExhausted' : 'refused', tries, message: result.message };
  }
  const delaySeconds =
    result.retryAfterMs === undefined ? 0 : Math.min(MAX_DEFER_SECONDS, Math.ceil(result.retryAfterMs / 1000));
  if (delaySeconds > deps.queueRetrySeconds) {
    await deps.defer({ ...message, tries }, delaySeconds);
    return { kind: 'deferred', delaySeconds, tries, message: result.message };
  }
  throw new HandOffRetryError(result.message);
}

export function tableHandOffState(table: TableClient): HandOffStateStore {
  const ensure = once(() => table.createTable());
  const ROW = 'delivered';
  return {
    async read(leadId) {
      await ensure();
      try {
        const row = await table.getEntity<{ version?: number }>(leadId, ROW);
        return { delivered: typeof row.version === 'number' ? row.version : 0, etag: row.etag };
      } catch (e) {
        if (isNotFound(e)) return { delivered: 0 };
        throw e;
      }
    },
    async write(leadId, delivered, etag) {
      await ensure();
      return saveEntity(table, { partitionKey: leadId, rowKey: ROW, version: delivered }, etag);
    },
  };
}
