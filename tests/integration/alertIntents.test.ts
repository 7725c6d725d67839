/**
 * Alert intents across crashes, against real parts: processing stores the arrival, the owner and the alert intent in
 * Azurite in one transaction, the alert goes on the real alert queue, and the deliverer takes it from there and
 * mails the owner through the loopback SMTP server. A crash between the save and the enqueue is a fault injected at
 * the enqueue (the queue answering 503), after which the queue delivers the lead message again.
 */
import type { QueueClient } from '@azure/storage-queue';

import type { RunningAzurite } from '../../local-host/src/azurite';
import type { AppConfig } from '../../shared/config';
import { tableBurstStore, tableSentMarks } from '../../shared/followUp/alerts/alertTables';
import { burstRule } from '../../shared/followUp/alerts/burst';
import { type AlertDeliveryDeps, deliverAlert } from '../../shared/followUp/alerts/deliverAlert';
import { arrivalEffects } from '../../shared/followUp/saveEffects';
import { newUlid } from '../../shared/ids';
import type { Mailer } from '../../shared/mail/mailer';
import { parseAlertMessage } from '../../shared/queue/alertEnvelope';
import { createEnvelope } from '../../shared/queue/envelope';
import { intentQueues } from '../../shared/queue/intentQueues';
import { type IntentQueues, intentRowKey } from '../../shared/record/intents';
import { type RecordDeps, recordLead } from '../../shared/record/recordLead';
import { queueClient, tableClient } from '../../shared/storage/clients';
import { startTestAzurite } from '../support/hostProcess';
import { leadWith, noTelemetry, testConfig } from '../support/leadFixtures';
import { SmtpSink } from '../support/smtpSink';
import { type TestRecordStore, testStore } from '../support/testStore';

const SELLERS = ['ana@sales.example', 'ben@sales.example', 'cy@sales.example'];

let azurite: RunningAzurite;
let smtp: SmtpSink;
let mailer: Mailer;
let prefix = 0;

beforeAll(async () => {
  [azurite, smtp] = await Promise.all([startTestAzurite(), SmtpSink.start()]);
  mailer = smtp.mailer();
});

afterAll(async () => {
  mailer?.close();
  await Promise.all([smtp?.stop(), azurite?.stop()]);
});

interface World {
  config: AppConfig;
  store: TestRecordStore;
  alertQueue: QueueClient;
  /** Processing's deps, with the alert queue's send replaced by `queues`. */
  processing(queues: IntentQueues): RecordDeps;
  realQueues: IntentQueues;
  /** What the deliverAlert function does with every message on the alert queue: deliver, forget the intent. */
  drainAlerts(): Promise<number>;
}

async function world(): Promise<World> {
  smtp.reset();
  const n = ++prefix;
  const config = testConfig(azurite.connectionString, {
    TABLE_NAME_PREFIX: `intents${n}`,
    ALERT_QUEUE_NAME: `intent-alerts-${n}`,
    REMINDER_RECIPIENTS: SELLERS.join(','),
  });
  const store = testStore(config);
  await store.ensureTables();
  const alertQueue = queueClient(config.storageConnection, config.alerts.queueName);
  await alertQueue.createIfNotExists();
  const effects = arrivalEffects({
    owners: { routes: config.reminderRoutes, defaults: config.defaultRecipients },
    alertOnNewLead: true,
    handOff: false,
    clock: () => new Date(),
    newId: newUlid,
  });
  const deliverer: AlertDeliveryDeps = {
    records: store,
    bursts: tableBurstStore(tableClient(config.storageConnection, config.tables.alertBursts)),
    sent: tableSentMarks(tableClient(config.storageConnection, config.tables.alertsSent)),
    mailer,
    scheduleDigest: () => Promise.resolve(),
    clock: () => new Date(),
    link: { publicBaseUrl: 'https://leads.contoso.example', ...config.contactLink },
    rule: burstRule(5),
    log: { info: () => undefined, warn: () => undefined },
  };
  return {
    config,
    store,
    alertQueue,
    realQueues: intentQueues(config.storageConnection, { alertQueue: config.alerts.queueName }),
    processing: (queues) => ({
      store,
      clock: () => new Date(),
      telemetry: noTelemetry,
      policy: { followUpHours: 24, escalateAfterHours: 48 },
      log: () => undefined,
      effects,
      queues,
    }),
    async drainAlerts() {
      let taken = 0;
      for (;;) {
        const { receivedMessageItems } = await alertQueue.receiveMessages({ numberOfMessages: 32 });
        if (receivedMessageItems.length === 0) return taken;
        for (const item of receivedMessageItems) {
          const parsed = parseAlertMessage(Buffer.from(item.messageText, 'base64').toString('utf8'));
          if (!parsed.ok || parsed.message.kind !== 'alert') throw new Error('unexpected message on the alert queue');
          await deliverAlert(parsed.message, deliverer);
          await store.settleIntent(parsed.message.leadId, intentRowKey({ kind: 'alert', message: parsed.message }));
          await alertQueue.deleteMessage(item.messageId, item.popReceipt);
          taken++;
        }
      }
    },
  };
}

function leadMessage(email: string, action = 'PLT'): string {
  return JSON.stringify(
    createEnvelope(newUlid(), new Date(), leadWith({ email, offer: 'contoso.widgets', action }), { queryKeys: [] }),
  );
}

/** The alert queue's send failing once, as a queue that answers 503 (or a deadline) would. */
function failingOnce(real: IntentQueues): IntentQueues & { failures: number } {
  const queues = {
    failures: 0,
    alert: async (message: Parameters<NonNullable<IntentQueues['alert']>>[0]) => {
      if (queues.failures === 0) {
        queues.failures++;
        throw Object.assign(new Error('The alert queue is unavailable'), { statusCode: 503 });
      }
      await real.alert?.(message);
    },
  };
  return queues;
}

async function queued(queue: QueueClient): Promise<number> {
  return (await queue.getProperties()).approximateMessagesCount ?? 0;
}

test('a crash between storing a lead and queueing its alert loses nothing: after redelivery the owner gets one alert', async () => {
  const w = await world();
  const message = leadMessage(`crash-${newUlid().toLowerCase()}@fabrikam.example`);
  const faulty = failingOnce(w.realQueues);

  await expect(recordLead(message, 'm1', w.processing(faulty))).rejects.toThrow('The alert queue is unavailable');
  // Stored with its owner and the alert it owes, nothing on the queue yet.
  const record = await w.store.getRecord((JSON.parse(message) as { id: string }).id);
  const leadId = record?.record.leadId ?? '';
  const owner = record?.record.owner;
  expect(SELLERS).toContain(owner);
  expect((await w.store.readLead(leadId)).intents?.map((i) => i.intent.kind)).toEqual(['alert']);
  expect(await queued(w.alertQueue)).toBe(0);

  // The queue delivers the lead message again: the redelivery finds the intent and hands it over.
  const again = await recordLead(message, 'm1', w.processing(faulty));
  expect(again).toMatchObject({ kind: 'stored', duplicateDelivery: true });
  expect(await queued(w.alertQueue)).toBe(1);
  expect((await w.store.readLead(leadId)).intents ?? []).toEqual([]);

  expect(await w.drainAlerts()).toBe(1);
  expect(smtp.received).toHaveLength(1);
  expect(smtp.to(owner ?? '')).toHaveLength(1);
  expect(smtp.received[0]?.text).toContain(`/api/leads/${leadId}/contact`);

  // Delivered once more after all that: nothing is queued, nothing sent.
  await recordLead(message, 'm1', w.processing(w.realQueues));
  expect(await queued(w.alertQueue)).toBe(0);
  expect(smtp.received).toHaveLength(1);
});

test('a redelivery after success queues nothing once the deliverer took the alert, and one email however often', async () => {
  const w = await world();
  const message = leadMessage(`twice-${newUlid().toLowerCase()}@fabrikam.example`);
  await recordLead(message, 'm2', w.processing(w.realQueues));
  expect(await queued(w.alertQueue)).toBe(1);
  // Redelivered before the deliverer took it (the host lost its delete): queued again, the deliverer sends once.
  await recordLead(message, 'm2', w.processing(w.realQueues));
  expect(await w.drainAlerts()).toBe(2);
  expect(smtp.received).toHaveLength(1);

  await recordLead(message, 'm2', w.processing(w.realQueues));
  expect(await queued(w.alertQueue)).toBe(0);
  expect(smtp.received).toHaveLength(1);
});

test('a merge that raises the stage alerts again, a merge that raises nothing does not, and the owner stays', async () => {
  const w = await world();
  const email = `stages-${newUlid().toLowerCase()}@fabrikam.example`;
  const deps = w.processing(w.realQueues);
  await recordLead(leadMessage(email, 'PLT'), 'a', deps);
  await recordLead(leadMessage(email.toUpperCase(), 'PLT'), 'b', deps);
  const trial = await recordLead(leadMessage(email, 'Trial'), 'c', deps);
  if (trial.kind !== 'stored') throw new Error('not stored');
  expect(trial.record.stage).toBe('trial');
  expect(trial.record.eventCount).toBe(3);
  const { events } = await w.store.readLead(trial.leadId);
  // One owner event for the record's three leads: the first assigned it, the others kept it.
  expect(events.filter((e) => e.kind === 'owner')).toHaveLength(1);
  expect(await w.drainAlerts()).toBe(2);
  expect(smtp.to(trial.record.owner ?? '').map((m) => m.subject)).toEqual([
    'New marketplace lead (Interest): contact them now',
    'Marketplace lead moved up to Trial: contact them now',
  ]);
});

test('with a webhook each change owes one hand-off of its version; a crash before queueing it is recovered by the redelivery', async () => {
  const w = await world();
  const handOffQueue = queueClient(w.config.storageConnection, `intent-handoffs-${prefix}`);
  await handOffQueue.createIfNotExists();
  const real = intentQueues(w.config.storageConnection, { handOffQueue: handOffQueue.name });
  let failures = 0;
  const queues: IntentQueues = {
    handOff: async (message) => {
      if (failures++ === 0) throw Object.assign(new Error('The hand-off queue is unavailable'), { statusCode: 503 });
      await real.handOff?.(message);
    },
  };
  const effects = arrivalEffects({
    owners: { routes: w.config.reminderRoutes, defaults: w.config.defaultRecipients },
    alertOnNewLead: false,
    handOff: true,
    clock: () => new Date(),
    newId: newUlid,
  });
  const deps = { ...w.processing(queues), effects };
  const email = `handoff-${newUlid().toLowerCase()}@fabrikam.example`;
  const first = leadMessage(email);
  await expect(recordLead(first, 'h1', deps)).rejects.toThrow('The hand-off queue is unavailable');
  await recordLead(first, 'h1', deps);
  await recordLead(leadMessage(email, 'Trial'), 'h2', deps);
  const leadId = (JSON.parse(first) as { id: string }).id;
  const stored = await w.store.getRecord(leadId);

  const versions: unknown[] = [];
  const { receivedMessageItems } = await handOffQueue.receiveMessages({ numberOfMessages: 32 });
  for (const item of receivedMessageItems) {
    const message = JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8')) as Record<string, unknown>;
    versions.push([message.version, message.created]);
  }
  expect(versions).toEqual([
    [1, true],
    [2, false],
  ]);
  expect(stored?.version).toBe(2);
});
