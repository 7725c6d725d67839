/**
 * Alert delivery against real parts: the record store and the alert tables in Azurite, email through the app's
 * mailer to the loopback SMTP server, Teams cards to a loopback Workflows trigger over HTTPS that checks them. The
 * clock is fixed so burst windows are exact. A digest's delayed queue message is the one port observed here (its
 * delay is what matters); the end-to-end test through the local host puts real messages on the real queue.
 */
import { createHash } from 'node:crypto';

import type { RunningAzurite } from '../../local-host/src/azurite';
import type { AppConfig } from '../../shared/config';
import { type SentMarks, tableBurstStore, tableSentMarks } from '../../shared/followUp/alerts/alertTables';
import { burstRule } from '../../shared/followUp/alerts/burst';
import {
  type AlertDeliveryDeps,
  AlertDeliveryError,
  type AlertOutcome,
  deliverAlert,
  deliverDigest,
} from '../../shared/followUp/alerts/deliverAlert';
import { sendTeamsCard } from '../../shared/followUp/alerts/teamsSender';
import { newUlid } from '../../shared/ids';
import type { Mailer } from '../../shared/mail/mailer';
import type { AlertEnvelope, DigestEnvelope } from '../../shared/queue/alertEnvelope';
import type { LeadRecord } from '../../shared/record/model';
import { projectLead } from '../../shared/record/projection';
import { startCallCount, stopCallCount } from '../../shared/storage/callCount';
import { tableClient } from '../../shared/storage/clients';
import { arrival } from '../support/events';
import { type FakeTeamsWorkflow, startFakeTeamsWorkflow } from '../support/fakeTeamsWorkflow';
import { startTestAzurite } from '../support/hostProcess';
import { testConfig } from '../support/leadFixtures';
import { SmtpSink } from '../support/smtpSink';
import { type TestRecordStore, testStore } from '../support/testStore';
import { selfSignedCertificate } from '../support/tls';

const OWNER = 'sam@sales.example';
const T0 = Date.parse('2024-05-03T12:00:00Z');
const certificate = selfSignedCertificate();

let azurite: RunningAzurite;
let smtp: SmtpSink;
let flow: FakeTeamsWorkflow;
let mailer: Mailer;
let prefix = 0;

beforeAll(async () => {
  [azurite, smtp, flow] = await Promise.all([
    startTestAzurite(),
    SmtpSink.start(),
    startFakeTeamsWorkflow({ certificate }),
  ]);
  mailer = smtp.mailer();
});

afterAll(async () => {
  mailer?.close();
  await Promise.all([smtp?.stop(), flow?.stop(), azurite?.stop()]);
});

interface World {
  config: AppConfig;
  store: TestRecordStore;
  deps: AlertDeliveryDeps;
  /** Digests the deliverer put on the queue, with their delay. */
  scheduled: { message: DigestEnvelope; delayMs: number }[];
  setNow(ms: number): void;
}

async function world(
  options: { burst?: number; teams?: boolean; sent?: (real: SentMarks) => SentMarks } = {},
): Promise<World> {
  smtp.reset();
  flow.reset();
  const config = testConfig(azurite.connectionString, { TABLE_NAME_PREFIX: `alerts${++prefix}` });
  const store = testStore(config);
  await store.ensureTables();
  let now = T0;
  const scheduled: World['scheduled'] = [];
  const realSent = tableSentMarks(tableClient(config.storageConnection, config.tables.alertsSent));
  const deps: AlertDeliveryDeps = {
    records: store,
    bursts: tableBurstStore(tableClient(config.storageConnection, config.tables.alertBursts)),
    sent: options.sent ? options.sent(realSent) : realSent,
    mailer,
    teams:
      options.teams === false
        ? undefined
        : (card) =>
            sendTeamsCard({ webhookUrl: flow.url, payload: 'message' }, card, { tls: { ca: certificate.cert } }),
    scheduleDigest: (message, delayMs) => {
      scheduled.push({ message, delayMs });
      return Promise.resolve();
    },
    clock: () => new Date(now),
    link: {
      publicBaseUrl: 'https://leads.contoso.example',
      secret: 'unit-test-contact-link-secret-0123456789',
      ttlDays: 14,
    },
    rule: burstRule(options.burst ?? 5),
    log: { info: () => undefined, warn: () => undefined },
  };
  return { config, store, deps, scheduled, setNow: (ms) => (now = ms) };
}

/** A stored record with one real arrival, and the alert processing would enqueue for it. */
async function storedLead(w: World, overrides: Partial<LeadRecord> = {}): Promise<AlertEnvelope> {
  const leadId = newUlid();
  const event = arrival(leadId, new Date(T0 - 5_000).toISOString(), {
    firstName: 'Ada',
    lastName: `Lovelace ${leadId.slice(-4)}`,
    company: 'Analytical Engines',
    email: `ada.${leadId.slice(-6).toLowerCase()}@engines.example`,
  });
  await w.store.appendEvent(leadId, event);
  const record = projectLead({ leadId, offerKey: 'contoso.widgets', identityKind: 'email' }, [event]);
  if (record === undefined) throw new Error('no record');
  await w.store.saveRecord({ ...record, ...overrides }, undefined);
  return {
    v: 1,
    kind: 'alert',
    alertId: event.eventId,
    leadId,
    recipient: OWNER,
    reason: 'newLead',
    stage: 'interest',
    raisedAt: new Date(T0).toISOString(),
  };
}

const subjects = (): string[] => smtp.received.map((m) => m.subject);

test('an alert reaches the owner by email and Teams once, however often its message is delivered', async () => {
  const w = await world();
  const alert = await storedLead(w);
  expect(await deliverAlert(alert, w.deps)).toEqual({ kind: 'sent', channels: ['email', 'teams'] });
  expect(await deliverAlert(alert, w.deps)).toEqual({ kind: 'sent', channels: [] });
  expect(await deliverAlert(alert, w.deps)).toEqual({ kind: 'sent', channels: [] });
  expect(smtp.to(OWNER)).toHaveLength(1);
  expect(subjects()).toEqual(['New marketplace lead (Interest): contact them now']);
  expect(smtp.received[0]?.text).toContain(`/api/leads/${alert.leadId}/contact`);
  expect(flow.cards).toHaveLength(1);
  expect(JSON.stringify(flow.cards[0])).toContain(OWNER);
});

test('a crash between sending and marking sends that channel once more, and only that channel', async () => {
  let failTeamsMark = true;
  const w = await world({
    sent: (real) => ({
      has: (id, channel, recipient) => real.has(id, channel, recipient),
      mark: async (id, channel, recipient, at) => {
        if (channel === 'teams' && failTeamsMark) {
          failTeamsMark = false;
          throw Object.assign(new Error('storage unavailable'), { statusCode: 503 });
        }
        return real.mark(id, channel, recipient, at);
      },
    }),
  });
  const alert = await storedLead(w);
  // The card was posted, its mark was not written: the invocation fails and the queue delivers the message again.
  await expect(deliverAlert(alert, w.deps)).rejects.toThrow('storage unavailable');
  expect(await deliverAlert(alert, w.deps)).toEqual({ kind: 'sent', channels: ['teams'] });
  expect(smtp.to(OWNER)).toHaveLength(1);
  // The window: the card the transport took before the crash, and the one the retry posted.
  expect(flow.cards).toHaveLength(2);
  expect(await deliverAlert(alert, w.deps)).toEqual({ kind: 'sent', channels: [] });
  expect(flow.cards).toHaveLength(2);
});

test('Teams failing does not lose the email, and the retry posts only the card', async () => {
  const w = await world();
  const alert = await storedLead(w);
  flow.script({ status: 500, body: 'flow failed' });
  const failed = deliverAlert(alert, w.deps);
  await expect(failed).rejects.toBeInstanceOf(AlertDeliveryError);
  await expect(failed).rejects.toThrow(/Teams webhook \(loopback\) answered HTTP 500/);
  expect(smtp.to(OWNER)).toHaveLength(1);
  expect(flow.cards).toHaveLength(0);
  expect(await deliverAlert(alert, w.deps)).toEqual({ kind: 'sent', channels: ['teams'] });
  expect(smtp.to(OWNER)).toHaveLength(1);
  expect(flow.cards).toHaveLength(1);
});

test('the mail server refusing does not lose the card, and the retry sends only the email', async () => {
  const w = await world();
  const alert = await storedLead(w);
  smtp.refuseAll = true;
  await expect(deliverAlert(alert, w.deps)).rejects.toThrow(/email: /);
  expect(flow.cards).toHaveLength(1);
  smtp.refuseAll = false;
  expect(await deliverAlert(alert, w.deps)).toEqual({ kind: 'sent', channels: ['email'] });
  expect(smtp.to(OWNER)).toHaveLength(1);
  expect(flow.cards).toHaveLength(1);
});

test('a lead contacted (or erased) before its alert goes out is not alerted', async () => {
  const w = await world();
  const contacted = await storedLead(w, { status: 'contacted' });
  expect(await deliverAlert(contacted, w.deps)).toEqual({ kind: 'notSent', why: 'the lead was contacted meanwhile' });
  const gone = { ...(await storedLead(w)), leadId: newUlid() };
  expect(await deliverAlert(gone, w.deps)).toEqual({ kind: 'notSent', why: 'the record is gone (erased)' });
  expect(smtp.received).toHaveLength(0);
  expect(flow.cards).toHaveLength(0);
});

test('a burst folds into one digest that goes out when due, with no further alert, once', async () => {
  const w = await world({ burst: 2 });
  const alerts: AlertEnvelope[] = [];
  for (let i = 0; i < 5; i++) alerts.push(await storedLead(w));
  const outcomes = [];
  for (const [i, alert] of alerts.entries()) {
    w.setNow(T0 + i * 1000);
    outcomes.push(await deliverAlert(alert, w.deps));
  }
  const digestId = alerts[2]?.alertId ?? '';
  expect(outcomes.map((o) => o.kind)).toEqual(['sent', 'sent', 'held', 'held', 'held']);
  expect(smtp.to(OWNER)).toHaveLength(2);
  // Only the alert that opened the digest schedules it: due 30 s after it opened.
  expect(w.scheduled).toEqual([{ message: { v: 1, kind: 'digest', recipient: OWNER, digestId }, delayMs: 30_000 }]);
  // Its message becomes visible early (clocks differ): it puts itself back for the rest of the hold.
  w.setNow(T0 + 2000 + 10_000);
  const digest = w.scheduled[0]?.message as DigestEnvelope;
  expect(await deliverDigest(digest, w.deps)).toEqual({ kind: 'notSent', why: 'not due yet: scheduled again' });
  expect(w.scheduled[1]?.delayMs).toBe(20_000);

  w.setNow(T0 + 2000 + 30_000);
  expect(await deliverDigest(digest, w.deps)).toEqual({ kind: 'sent', channels: ['email', 'teams'] });
  expect(await deliverDigest(digest, w.deps)).toEqual({ kind: 'notSent', why: 'already sent' });
  expect(smtp.to(OWNER)).toHaveLength(3);
  const mail = smtp.received[2];
  expect(mail?.subject).toBe('3 more marketplace leads for you: contact them now');
  for (const alert of alerts.slice(2)) expect(mail?.text).toContain(`/api/leads/${alert.leadId}/contact`);
  expect(flow.cards).toHaveLength(3);
  // A redelivered held alert after its digest went out sends nothing.
  expect(await deliverAlert(alerts[3] as AlertEnvelope, w.deps)).toEqual({
    kind: 'notSent',
    why: `already sent in digest ${digestId}`,
  });
  expect(smtp.received).toHaveLength(3);
});

test('two instances admitting one recipient’s alerts at once agree: the limit goes alone, the rest are held', async () => {
  const w = await world({ burst: 2, teams: false });
  const alerts: AlertEnvelope[] = [];
  for (let i = 0; i < 6; i++) alerts.push(await storedLead(w));
  // Each instance has its own burst store: they meet only at the state row's ETag.
  const other = {
    ...w.deps,
    bursts: tableBurstStore(tableClient(w.config.storageConnection, w.config.tables.alertBursts)),
  };
  const outcomes = await Promise.all(alerts.map((a, i) => deliverAlert(a, i % 2 === 0 ? w.deps : other)));
  expect(outcomes.filter((o) => o.kind === 'sent')).toHaveLength(2);
  expect(outcomes.filter((o) => o.kind === 'held')).toHaveLength(4);
  expect(smtp.to(OWNER)).toHaveLength(2);
  expect(new Set(outcomes.flatMap((o) => (o.kind === 'held' ? [o.digestId] : []))).size).toBe(1);
});

test('a flood of alerts for one recipient on one instance reads and writes its state once per alert', async () => {
  const w = await world({ burst: 5, teams: false });
  const alerts: AlertEnvelope[] = [];
  for (let i = 0; i < 20; i++) alerts.push(await storedLead(w));
  const counts = startCallCount();
  let outcomes: AlertOutcome[];
  try {
    outcomes = await Promise.all(alerts.map((a) => deliverAlert(a, w.deps)));
  } finally {
    stopCallCount();
  }
  expect(outcomes.filter((o) => o.kind === 'held')).toHaveLength(15);
  const table = w.config.tables.alertBursts;
  // Without taking turns, concurrent invocations re-read and re-write the state on every conflict (412).
  expect(counts.get(`GET ${table} entity`)).toBe(20);
  // One state write per alert (the first creates it) and one held message per held alert.
  expect((counts.get(`POST ${table}`) ?? 0) + (counts.get(`PUT ${table} entity`) ?? 0)).toBe(20 + 15);
});

test('recipients are keyed by a hash, never by their address', async () => {
  const w = await world({ teams: false });
  await deliverAlert(await storedLead(w), w.deps);
  const rows: string[] = [];
  for (const name of [w.config.tables.alertBursts, w.config.tables.alertsSent]) {
    for await (const row of tableClient(w.config.storageConnection, name).listEntities())
      rows.push(JSON.stringify(row));
  }
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.join('\n')).not.toContain('sam@');
  expect(rows.join('\n')).toContain(createHash('sha256').update(OWNER).digest('hex').slice(0, 32));
});
