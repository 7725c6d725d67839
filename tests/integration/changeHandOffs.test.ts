/**
 * Every change of a record reaches the CRM, not only processing's: a logged attempt, a restarted cadence, the
 * reminder run's events and an erasure each store a hand-off intent with their change, queue it on the real hand-off
 * queue in Azurite, and the deliverer takes it from there to the loopback receiver (which verifies signatures and
 * keeps the newest version per lead). After each change the receiver's copy is the record as stored, at its version.
 */
import { randomBytes } from 'node:crypto';

import type { QueueClient } from '@azure/storage-queue';

import type { RunningAzurite } from '../../local-host/src/azurite';
import type { AppConfig } from '../../shared/config';
import { runReminders } from '../../shared/followUp/runReminders';
import { arrivalEffects, changeEffects } from '../../shared/followUp/saveEffects';
import { newUlid } from '../../shared/ids';
import type { Mailer } from '../../shared/mail/mailer';
import { parseHandOff } from '../../shared/queue/handOffEnvelope';
import { intentQueues } from '../../shared/queue/intentQueues';
import type { ChangeHandOff } from '../../shared/record/changeHandOff';
import { intentRowKey } from '../../shared/record/intents';
import { recordAttempt } from '../../shared/record/recordAttempt';
import { recordLead } from '../../shared/record/recordLead';
import { restartCadence } from '../../shared/record/restartCadence';
import { sendCrmWebhook } from '../../shared/sell/crm/crmSender';
import { type HandOffDeps, handOffLead, tableHandOffState } from '../../shared/sell/crm/handOff';
import { formatWebhookSecret, parseWebhookSecret } from '../../shared/sell/crm/standardWebhooks';
import { eraseLead } from '../../shared/sell/erasure/eraseLead';
import { leadView } from '../../shared/sell/leadView';
import { queueClient, tableClient } from '../../shared/storage/clients';
import { HOUR_MS } from '../../shared/time';
import { startTestAzurite } from '../support/hostProcess';
import { envelopeFor, leadWith, noTelemetry, testConfig } from '../support/leadFixtures';
import { SmtpSink } from '../support/smtpSink';
import { type TestRecordStore, testStore } from '../support/testStore';
import { type Receiver, startReceiver } from '../support/webhookReceiver';

const SECRET = formatWebhookSecret(randomBytes(32));
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

let azurite: RunningAzurite;
let receiver: Receiver;
let smtp: SmtpSink;
let mailer: Mailer;
let prefix = 0;

beforeAll(async () => {
  [azurite, receiver, smtp] = await Promise.all([startTestAzurite(), startReceiver(SECRET), SmtpSink.start()]);
  mailer = smtp.mailer('Leads <leads@contoso.example>');
});

afterAll(async () => {
  mailer?.close();
  await Promise.all([receiver?.stop(), smtp?.stop(), azurite?.stop()]);
});

interface World {
  config: AppConfig;
  store: TestRecordStore;
  queue: QueueClient;
  /** What every change outside processing is given in the app (queue/changeHandOffQueue.ts). */
  handOff: ChangeHandOff;
  /** What sendReminders gives a reminder run, hand-offs included. */
  reminderDeps(): Parameters<typeof runReminders>[0];
  /** A customer's first lead, processed as processLead does (its creation handed off too), received at `at`. */
  lead(at?: Date): Promise<string>;
  /** What handOffLead does with every message on the hand-off queue; the versions it took, in order. */
  deliver(): Promise<number[]>;
  /** The receiver's newest copy is the record as stored, at the stored version. */
  expectMirrored(leadId: string): Promise<void>;
}

async function world(): Promise<World> {
  const n = ++prefix;
  const config = testConfig(azurite.connectionString, { TABLE_NAME_PREFIX: `chg${n}` });
  const store = testStore(config);
  await store.ensureTables();
  const queue = queueClient(config.storageConnection, `change-handoffs-${n}`);
  await queue.createIfNotExists();
  const queues = intentQueues(config.storageConnection, { handOffQueue: queue.name });
  const key = parseWebhookSecret(SECRET);
  if (!key.ok) throw new Error(key.problem);
  const delivery: HandOffDeps = {
    records: store,
    state: tableHandOffState(tableClient(config.storageConnection, config.tables.handOffs)),
    send: (d) => sendCrmWebhook({ url: receiver.url, keys: [key.key] }, d, { timeoutMs: 2000 }),
    poison: () => Promise.reject(new Error('nothing here is refused')),
    defer: () => Promise.reject(new Error('nothing here is deferred')),
    maxTries: 5,
    queueRetrySeconds: 10,
  };
  const policy = { followUpHours: config.followUpHours, escalateAfterHours: config.escalateAfterHours };
  const handOff = { effects: changeEffects({ handOff: true, clock: () => new Date() }), queues };
  return {
    config,
    store,
    queue,
    handOff,
    reminderDeps() {
      return {
        store,
        locks: store.tables.locks,
        mailer,
        clock: () => new Date(),
        newId: newUlid,
        config,
        log: quiet,
        ...handOff,
      };
    },
    async lead(at = new Date()) {
      const email = `jan.${newUlid().toLowerCase()}@fabrikam.example`;
      const envelope = envelopeFor(leadWith({ email, offer: 'contoso.widgets', action: 'PLT' }), at);
      const outcome = await recordLead(JSON.stringify(envelope), envelope.id, {
        store,
        clock: () => at,
        telemetry: noTelemetry,
        policy,
        log: () => undefined,
        effects: arrivalEffects({
          owners: { routes: config.reminderRoutes, defaults: config.defaultRecipients },
          alertOnNewLead: false,
          handOff: true,
          clock: () => at,
          newId: newUlid,
        }),
        queues,
      });
      if (outcome.kind !== 'stored') throw new Error(`lead not stored: ${outcome.reason}`);
      return outcome.leadId;
    },
    async deliver() {
      const versions: number[] = [];
      for (;;) {
        const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32 });
        if (receivedMessageItems.length === 0) return versions;
        for (const item of receivedMessageItems) {
          const parsed = parseHandOff(Buffer.from(item.messageText, 'base64').toString('utf8'));
          if (!parsed.ok) throw new Error(parsed.reason);
          const outcome = await handOffLead(parsed.message, delivery);
          // A change queues again a hand-off still in the partition, which may be on the queue already.
          const repeat = outcome.kind === 'skipped' && versions.includes(parsed.message.version);
          if (outcome.kind !== 'delivered' && !repeat) throw new Error(`v${parsed.message.version} ${outcome.kind}`);
          await store.settleIntent(parsed.message.leadId, intentRowKey({ kind: 'handOff', message: parsed.message }));
          await queue.deleteMessage(item.messageId, item.popReceipt);
          if (!repeat) versions.push(parsed.message.version);
        }
      }
    },
    async expectMirrored(leadId) {
      const stored = await store.getRecord(leadId);
      if (stored === undefined) throw new Error('no record');
      const copy = receiver.leads.get(leadId);
      expect(copy?.version).toBe(stored.version);
      expect(copy?.data).toEqual(JSON.parse(JSON.stringify(leadView(stored.record))));
    },
  };
}

test('a logged attempt moves a new lead to contacted, and the CRM gets that version', async () => {
  const w = await world();
  const leadId = await w.lead();
  expect(await w.deliver()).toEqual([1]);

  const deps = { store: w.store, clock: () => new Date(), newId: newUlid, policy: w.config, ...w.handOff };
  const result = await recordAttempt(deps, leadId, { channel: 'phone', outcome: 'noAnswer', via: 'api' });
  expect(result).toMatchObject({ ok: true, record: { status: 'contacted' } });
  expect(result).not.toHaveProperty('handOverProblem');
  expect(await w.deliver()).toEqual([2]);
  await w.expectMirrored(leadId);
  expect(receiver.leads.get(leadId)).toMatchObject({ type: 'lead.updated', data: { status: 'contacted' } });
});

test('a restarted cadence reaches the CRM with its version', async () => {
  const w = await world();
  const leadId = await w.lead();
  const deps = { store: w.store, clock: () => new Date(), newId: newUlid, policy: w.config, ...w.handOff };
  await recordAttempt(deps, leadId, { channel: 'email', outcome: 'noAnswer', via: 'api' });
  await w.deliver();
  const before = (await w.store.getRecord(leadId))?.version ?? 0;

  const result = await restartCadence(deps, leadId, { via: 'api', note: 'they asked to hear again in May' });
  expect(result.ok).toBe(true);
  expect(await w.deliver()).toEqual([before + 1]);
  await w.expectMirrored(leadId);
});

test("the reminder run's own event (remindedAt) is handed off like any other change", async () => {
  const w = await world();
  const arrived = new Date(Date.now() - 25 * HOUR_MS);
  const leadId = await w.lead(arrived);
  await w.deliver();
  smtp.reset();

  const summary = await runReminders(w.reminderDeps(), { isPastDue: false });
  expect(summary).toMatchObject({ completed: 1, sent: 1 });
  const stored = await w.store.getRecord(leadId);
  expect(stored?.record.remindedAt).toBeDefined();
  expect(await w.deliver()).toEqual([stored?.version]);
  await w.expectMirrored(leadId);
});

test('an erasure hands off the tombstone: the CRM hears of it, without the person', async () => {
  const w = await world();
  const leadId = await w.lead();
  await w.deliver();
  const client = (name: string): QueueClient => queueClient(w.config.storageConnection, name);
  const erasure = await eraseLead(
    {
      store: w.store,
      copies: {
        rejected: w.store.tables.rejected,
        poisoned: w.store.tables.poisoned,
        poisonQueue: client(`${w.config.queueName}-poison`),
        poisonPoisonQueue: client(`${w.config.queueName}-poison-poison`),
      },
      ...w.handOff,
    },
    leadId,
  );
  expect(erasure?.report.result).toBe('erased');
  expect(erasure?.handOverProblem).toBeUndefined();
  expect(await w.deliver()).toHaveLength(1);
  await w.expectMirrored(leadId);
  const copy = receiver.leads.get(leadId);
  expect(copy?.data.flags).toContain('erased');
  expect(copy?.data.email).toBeUndefined();
  expect(JSON.stringify(copy)).not.toContain('fabrikam.example');
});

test('a hand-off that cannot be queued leaves the change standing, says why, and keeps its intent', async () => {
  const w = await world();
  const leadId = await w.lead();
  await w.deliver();
  const down = {
    effects: w.handOff.effects,
    queues: { handOff: () => Promise.reject(new Error('The hand-off queue is unavailable')) },
  };
  const deps = { store: w.store, clock: () => new Date(), newId: newUlid, policy: w.config, ...down };
  const result = await recordAttempt(deps, leadId, { channel: 'phone', outcome: 'reached', via: 'api' });
  expect(result).toMatchObject({ ok: true, handOverProblem: 'The hand-off queue is unavailable' });
  const { stored, intents } = await w.store.readLead(leadId);
  expect(stored?.record.status).toBe('contacted');
  expect(intents?.map((i) => i.intent)).toEqual([
    { kind: 'handOff', message: expect.objectContaining({ leadId, version: stored?.version }) as unknown },
  ]);
});

test('a change queues the hand-off an earlier change could not, so the CRM gets both and no intent is left', async () => {
  const w = await world();
  const leadId = await w.lead();
  await w.deliver();
  const down = { effects: w.handOff.effects, queues: { handOff: () => Promise.reject(new Error('queue down')) } };
  const base = { store: w.store, clock: () => new Date(), newId: newUlid, policy: w.config };
  await recordAttempt({ ...base, ...down }, leadId, { channel: 'phone', outcome: 'noAnswer', via: 'api' });
  const missed = (await w.store.getRecord(leadId))?.version ?? 0;

  const result = await recordAttempt({ ...base, ...w.handOff }, leadId, {
    channel: 'email',
    outcome: 'reached',
    via: 'api',
  });
  expect(result).not.toHaveProperty('handOverProblem');
  expect(await w.deliver()).toEqual([missed, missed + 1]);
  await w.expectMirrored(leadId);
  expect((await w.store.readLead(leadId)).intents ?? []).toEqual([]);
});

test('an erasure whose hand-off could not be queued hands the tombstone to the CRM when it is run again', async () => {
  const w = await world();
  const leadId = await w.lead();
  await w.deliver();
  const client = (name: string): QueueClient => queueClient(w.config.storageConnection, name);
  const copies = {
    rejected: w.store.tables.rejected,
    poisoned: w.store.tables.poisoned,
    poisonQueue: client(`${w.config.queueName}-poison`),
    poisonPoisonQueue: client(`${w.config.queueName}-poison-poison`),
  };
  const down = { effects: w.handOff.effects, queues: { handOff: () => Promise.reject(new Error('queue down')) } };
  const first = await eraseLead({ store: w.store, copies, ...down }, leadId);
  expect(first).toMatchObject({ report: { result: 'erased' }, handOverProblem: 'queue down' });
  expect(await w.deliver()).toEqual([]);

  const again = await eraseLead({ store: w.store, copies, ...w.handOff }, leadId);
  expect(again?.report.result).toBe('alreadyErased');
  expect(again).not.toHaveProperty('handOverProblem');
  expect(await w.deliver()).toHaveLength(1);
  await w.expectMirrored(leadId);
  expect(receiver.leads.get(leadId)?.data.flags).toContain('erased');
  expect((await w.store.readLead(leadId)).intents ?? []).toEqual([]);
  // A third erasure finds nothing left to hand over.
  await eraseLead({ store: w.store, copies, ...w.handOff }, leadId);
  expect(await w.deliver()).toEqual([]);
});

test('a reminder run that stored its event and crashed before queueing the hand-off: the next run queues it', async () => {
  const w = await world();
  const leadId = await w.lead(new Date(Date.now() - 25 * HOUR_MS));
  await w.deliver();
  const deps = w.reminderDeps();
  // The crash: after the event's transaction, before the hand-off is queued and the entry deleted.
  const crashed = {
    ...deps,
    store: { ...w.store, deleteFollowUp: () => Promise.reject(new Error('the run crashed')) },
    queues: { handOff: () => Promise.reject(new Error('the run crashed')) },
  };
  expect(await runReminders(crashed, { isPastDue: false })).toMatchObject({ sent: 1, completed: 0 });
  const stored = await w.store.getRecord(leadId);
  expect(stored?.record.remindedAt).toBeDefined();
  expect(await w.deliver()).toEqual([]);
  smtp.reset();

  // The next run finds the lead reminded, drops the entry and brings the record in line, sending nothing.
  expect(await runReminders(deps, { isPastDue: false })).toMatchObject({ sent: 0, skipped: 1 });
  expect(smtp.received).toHaveLength(0);
  expect(await w.deliver()).toEqual([stored?.version]);
  await w.expectMirrored(leadId);
});
