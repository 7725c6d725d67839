/**
 * The hand-off of records to a CRM against real parts: the record and the hand-off state in Azurite, the signed
 * POST to a loopback receiver that verifies it with the Standard Webhooks reference library, and a copy deferred
 * for a receiver's Retry-After on a real queue. What the queue does with each outcome (retry, poison) is the
 * function's contract, checked by the host test.
 */
import { randomBytes } from 'node:crypto';

import type { QueueClient } from '@azure/storage-queue';

import type { RunningAzurite } from '../../local-host/src/azurite';
import { newUlid } from '../../shared/ids';
import { encodeHandOff, type HandOffEnvelope, parseHandOff } from '../../shared/queue/handOffEnvelope';
import { projectLead } from '../../shared/record/projection';
import { sendCrmWebhook } from '../../shared/sell/crm/crmSender';
import {
  type HandOffDeps,
  handOffLead,
  HandOffRetryError,
  MAX_DEFER_SECONDS,
  tableHandOffState,
} from '../../shared/sell/crm/handOff';
import { formatWebhookSecret, parseWebhookSecret } from '../../shared/sell/crm/standardWebhooks';
import { queueClient, tableClient } from '../../shared/storage/clients';
import { arrival } from '../support/events';
import { startTestAzurite } from '../support/hostProcess';
import { testConfig } from '../support/leadFixtures';
import { type TestRecordStore, testStore } from '../support/testStore';
import { type Receiver, startReceiver } from '../support/webhookReceiver';

const SECRET = formatWebhookSecret(randomBytes(32));
let azurite: RunningAzurite;
let receiver: Receiver;
let prefix = 0;

beforeAll(async () => {
  [azurite, receiver] = await Promise.all([startTestAzurite(), startReceiver(SECRET)]);
});

afterAll(async () => {
  await Promise.all([receiver?.stop(), azurite?.stop()]);
});

interface SetUp {
  store: TestRecordStore;
  deps: HandOffDeps;
  poisoned: string[];
  leadId: string;
  /** The hand-off queue deferred copies go back to, and the delay each was given. */
  queue: QueueClient;
  delays: number[];
}

const MAX_TRIES = 3;
/** host.json's visibilityTimeout: the queue's own retry delay. */
const QUEUE_RETRY_SECONDS = 10;

async function setUp(): Promise<SetUp> {
  const config = testConfig(azurite.connectionString, { TABLE_NAME_PREFIX: `handoff${++prefix}` });
  const queue = queueClient(config.storageConnection, `handoff-retries-${prefix}`);
  await queue.createIfNotExists();
  const delays: number[] = [];
  const store = testStore(config);
  await store.ensureTables();
  const leadId = newUlid();
  const event = arrival(leadId, '2024-05-03T12:00:00.000Z', { firstName: 'Ada', email: 'ada@engines.example' });
  await store.appendEvent(leadId, event);
  const record = projectLead({ leadId, offerKey: 'contoso.widgets', identityKind: 'email' }, [event]);
  if (record === undefined) throw new Error('no record');
  await store.saveRecord(record, undefined);
  const key = parseWebhookSecret(SECRET);
  if (!key.ok) throw new Error(key.problem);
  const poisoned: string[] = [];
  const deps: HandOffDeps = {
    records: store,
    state: tableHandOffState(tableClient(config.storageConnection, config.tables.handOffs)),
    send: (delivery) => sendCrmWebhook({ url: receiver.url, keys: [key.key] }, delivery, { timeoutMs: 2000 }),
    poison: (text) => {
      poisoned.push(text);
      return Promise.resolve();
    },
    defer: async (copy, delaySeconds) => {
      delays.push(delaySeconds);
      await queue.sendMessage(encodeHandOff(copy), { visibilityTimeout: delaySeconds, messageTimeToLive: -1 });
    },
    maxTries: MAX_TRIES,
    queueRetrySeconds: QUEUE_RETRY_SECONDS,
  };
  return { store, deps, poisoned, leadId, queue, delays };
}

/** The next visible message of the queue, as the trigger would hand it over, with its dequeue count. */
async function takeNext(queue: QueueClient): Promise<{ message: HandOffEnvelope; dequeueCount: number } | undefined> {
  const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 1 });
  const item = receivedMessageItems[0];
  if (item === undefined) return undefined;
  await queue.deleteMessage(item.messageId, item.popReceipt);
  const parsed = parseHandOff(Buffer.from(item.messageText, 'base64').toString('utf8'));
  if (!parsed.ok) throw new Error(parsed.reason);
  return { message: parsed.message, dequeueCount: item.dequeueCount };
}

/** The next message once it becomes visible (a deferred copy), within a few seconds. */
async function takeWhenVisible(
  queue: QueueClient,
): Promise<{ message: HandOffEnvelope; dequeueCount: number } | undefined> {
  const until = Date.now() + 5000;
  for (;;) {
    const next = await takeNext(queue);
    if (next !== undefined || Date.now() > until) return next;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const change = (leadId: string, version: number, created = version === 1): HandOffEnvelope => ({
  v: 1,
  leadId,
  version,
  created,
  at: '2024-05-03T12:00:00.000Z',
});

test('a change is delivered signed, once; a redelivery and an older version arriving late are skipped', async () => {
  const { deps, leadId } = await setUp();
  expect(await handOffLead(change(leadId, 1), deps)).toEqual({
    kind: 'delivered',
    id: `lead_${leadId}_v1`,
    status: 204,
  });
  expect(receiver.taken.get(`lead_${leadId}_v1`)?.type).toBe('lead.created');
  expect(await handOffLead(change(leadId, 3), deps)).toMatchObject({ kind: 'delivered', id: `lead_${leadId}_v3` });
  expect(receiver.leads.get(leadId)?.type).toBe('lead.updated');
  const before = receiver.requests.length;
  expect(await handOffLead(change(leadId, 3), deps)).toMatchObject({ kind: 'skipped' });
  expect(await handOffLead(change(leadId, 2), deps)).toEqual({
    kind: 'skipped',
    why: 'version 3 was already delivered (this is 2)',
  });
  expect(receiver.requests.length).toBe(before);
});

test('a receiver asking for a retry makes the queue retry with the same webhook-id; a refusal poisons at once', async () => {
  const { deps, poisoned, leadId } = await setUp();
  receiver.script({ status: 503 }, { status: 429 });
  await expect(handOffLead(change(leadId, 1), deps, 1)).rejects.toBeInstanceOf(HandOffRetryError);
  await expect(handOffLead(change(leadId, 1), deps, 2)).rejects.toThrow(/HTTP 429/);
  expect(await handOffLead(change(leadId, 1), deps, 3)).toMatchObject({ kind: 'delivered' });
  const ids = receiver.requests.slice(-3).map((r) => r.id);
  expect(ids).toEqual([`lead_${leadId}_v1`, `lead_${leadId}_v1`, `lead_${leadId}_v1`]);

  receiver.script({ status: 400, body: 'unknown field' });
  const outcome = await handOffLead(change(leadId, 2), deps);
  expect(outcome).toMatchObject({ kind: 'poisoned' });
  expect(poisoned.map((t) => JSON.parse(t) as HandOffEnvelope)).toEqual([change(leadId, 2)]);
});

test('a receiver that does not answer in time is retried; an erased record is handed off flagged, a missing one not', async () => {
  const { deps, leadId, store } = await setUp();
  receiver.script({ status: 0, hang: true });
  await expect(handOffLead(change(leadId, 1), deps)).rejects.toThrow(/no answer in time/);
  const stored = await store.getRecord(leadId);
  if (stored === undefined) throw new Error('no record');
  await store.saveRecord({ ...stored.record, flags: ['erased'] }, stored.etag);
  expect(await handOffLead(change(leadId, 2), deps)).toMatchObject({ kind: 'delivered' });
  expect(receiver.leads.get(leadId)?.data.flags).toContain('erased');
  const missing = newUlid();
  expect(await handOffLead(change(missing, 1), deps)).toEqual({ kind: 'skipped', why: 'the record is not there' });
});

test("a receiver's Retry-After puts a copy back, invisible that long (an hour at most), and completes the message", async () => {
  const { deps, leadId, queue, delays } = await setUp();
  receiver.script({ status: 429, headers: { 'retry-after': '120' } });
  expect(await handOffLead(change(leadId, 1), deps, 1)).toMatchObject({
    kind: 'deferred',
    delaySeconds: 120,
    tries: 1,
  });
  // On the queue, not yet visible: the queue's own retry (seconds) would have come long before the receiver asked.
  expect((await queue.getProperties()).approximateMessagesCount).toBe(1);
  expect(await takeNext(queue)).toBeUndefined();

  const later = new Date(Date.now() + 6 * 3600_000).toUTCString();
  receiver.script({ status: 503, headers: { 'retry-after': later } });
  expect(await handOffLead(change(leadId, 2), deps, 1)).toMatchObject({ kind: 'deferred', tries: 1 });
  expect(delays).toEqual([120, MAX_DEFER_SECONDS]);
  expect(receiver.leads.has(leadId)).toBe(false);
});

test('a receiver that keeps answering 429 with Retry-After poisons the change after maxTries tries in all', async () => {
  const setUpDeps = await setUp();
  const { leadId, queue, poisoned } = setUpDeps;
  // A queue that retries at once (visibilityTimeout 0), so a copy asked for in 1 s is deferred, and seen a second on.
  const deps = { ...setUpDeps.deps, queueRetrySeconds: 0 };
  const first = change(leadId, 1);
  // Exactly the answers the limit allows: a further request would get the receiver's own 204 and be delivered.
  receiver.script(...Array.from({ length: MAX_TRIES }, () => ({ status: 429, headers: { 'retry-after': '1' } })));
  const outcomes: string[] = [];
  let next: { message: HandOffEnvelope; dequeueCount: number } | undefined = { message: first, dequeueCount: 1 };
  while (next !== undefined && outcomes.length < 10) {
    const outcome = await handOffLead(next.message, deps, next.dequeueCount);
    outcomes.push(outcome.kind);
    next = outcome.kind === 'deferred' ? await takeWhenVisible(queue) : undefined;
  }
  expect(outcomes).toEqual(['deferred', 'deferred', 'poisoned']);
  expect(receiver.requests.filter((r) => r.id === `lead_${leadId}_v1`)).toHaveLength(MAX_TRIES);
  // Poisoned as first queued: a replay starts its tries afresh.
  expect(poisoned.map((t) => JSON.parse(t) as HandOffEnvelope)).toEqual([first]);
  receiver.script({ status: 0, hang: true }, { status: 503 });
  // Dequeues of a copy count on top of the tries it carries, whatever the receiver said.
  await expect(handOffLead({ ...change(leadId, 2), tries: 1 }, deps, 1)).rejects.toThrow(/no answer in time/);
  expect(await handOffLead({ ...change(leadId, 2), tries: 1 }, deps, 2)).toMatchObject({
    kind: 'poisoned',
    why: 'retriesExhausted',
    tries: 3,
  });
});

test("a Retry-After no longer than the queue's own retry delay is left to the queue: no copy visible at once", async () => {
  const { deps, leadId, queue, delays } = await setUp();
  const past = new Date(Date.now() - 60_000).toUTCString();
  for (const wait of ['0', '1', String(QUEUE_RETRY_SECONDS), past]) {
    receiver.script({ status: 429, headers: { 'retry-after': wait } });
    await expect(handOffLead(change(leadId, 1), deps, 1)).rejects.toBeInstanceOf(HandOffRetryError);
  }
  expect(delays).toEqual([]);
  expect((await queue.getProperties()).approximateMessagesCount).toBe(0);
  // One second longer than the queue would wait is the receiver's to ask for.
  receiver.script({ status: 429, headers: { 'retry-after': String(QUEUE_RETRY_SECONDS + 1) } });
  expect(await handOffLead(change(leadId, 1), deps, 1)).toMatchObject({
    kind: 'deferred',
    delaySeconds: QUEUE_RETRY_SECONDS + 1,
  });
});
