/**
 * The delivery functions as the platform runs them: registered by the app, triggered by the local host from real
 * queues in Azurite (retries, poison, the kept copy, replay-poison), talking to the loopback SMTP server, a Teams
 * Workflows trigger over HTTPS and a CRM receiver that verifies signatures. The messages are put on the queues as
 * processing puts them; docs/alerts.md and docs/crm.md state that contract.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';

import { QueueServiceClient } from '@azure/storage-queue';

import type { RunningAzurite } from '../../local-host/src/azurite';
import type { AppConfig } from '../../shared/config';
import type { LeadFlowHealth } from '../../shared/ops/leadFlowHealth';
import { type AlertEnvelope, encodeAlertMessage } from '../../shared/queue/alertEnvelope';
import { encodeHandOff, type HandOffEnvelope } from '../../shared/queue/handOffEnvelope';
import type { LeadRecord } from '../../shared/record/model';
import { formatWebhookSecret } from '../../shared/sell/crm/standardWebhooks';
import { type DeliveryRig, startDeliveryRig } from '../support/deliveryRig';
import type { FakeTeamsWorkflow } from '../support/fakeTeamsWorkflow';
import { eventually, type HostProcess, repoRoot, sampleSettings, startHost } from '../support/hostProcess';
import { sample, testConfig, waitForRecord } from '../support/leadFixtures';
import type { SmtpSink } from '../support/smtpSink';
import type { Receiver } from '../support/webhookReceiver';

const run = promisify(execFile);
const OWNER = 'sam@sales.example';
const SECRET = formatWebhookSecret(randomBytes(32));

let azurite: RunningAzurite;
let smtp: SmtpSink;
let flow: FakeTeamsWorkflow;
let receiver: Receiver;
let host: HostProcess;
let config: AppConfig;
let env: Record<string, string>;
let rig: DeliveryRig;
let lead: LeadRecord;
let leadEventId: string;

beforeAll(async () => {
  rig = await startDeliveryRig(SECRET);
  ({ azurite, smtp, flow, receiver } = rig);
  env = {
    ...rig.env,
    TEAMS_WEBHOOK_URL: flow.url,
    WEBHOOK_SECRET: SECRET,
    // One alert a minute goes alone: the second for a recipient opens a digest.
    ALERT_BURST: '1',
  };
  host = await startHost(env);
  config = testConfig(azurite.connectionString, env);
  const accepted = await fetch(`${host.baseUrl}/api/leads`, { method: 'POST', body: sample('journey-1-contact-me') });
  expect(accepted.status).toBe(202);
  leadEventId = ((await accepted.json()) as { id: string }).id;
  const records = await waitForRecord(config, (all) => all.length === 1, 'the lead recorded');
  lead = records[0] as LeadRecord;
  // Processing alerts the lead's owner and hands the new record off by itself; the tests below drive the queues
  // directly, so they start once those have landed, from empty sinks (and hand-off versions above the record's).
  await eventually('processing’s own alert and hand-off', () =>
    smtp.received.length === 1 && flow.cards.length === 1 && receiver.taken.size === 1 ? true : undefined,
  );
  smtp.reset();
  flow.reset();
  receiver.taken.clear();
}, 90_000);

afterAll(async () => {
  await host?.stop();
  await rig?.stop();
});

async function send(queueName: string, text: string): Promise<void> {
  const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(queueName);
  await queue.createIfNotExists();
  await queue.sendMessage(text, { messageTimeToLive: -1 });
}

const said = (text: string): true | undefined => (host.output().includes(text) ? true : undefined);

test('an alert on the queue reaches the owner by email and Teams once, and its redelivery sends nothing', async () => {
  const alert: AlertEnvelope = {
    v: 1,
    kind: 'alert',
    alertId: leadEventId,
    leadId: lead.leadId,
    recipient: OWNER,
    reason: 'newLead',
    stage: 'interest',
    raisedAt: new Date().toISOString(),
  };
  await send('lead-alerts', encodeAlertMessage(alert));
  await eventually('the alert mail and card', () =>
    smtp.to(OWNER).length === 1 && flow.cards.length === 1 ? true : undefined,
  );
  expect(smtp.to(OWNER)[0]?.text).toContain(`/api/leads/${lead.leadId}/contact`);
  await send('lead-alerts', encodeAlertMessage(alert));
  await eventually('the redelivery handled', () =>
    said(`Alert ${leadEventId} (lead ${lead.leadId}) sent (every channel already had it)`),
  );
  expect(smtp.to(OWNER)).toHaveLength(1);
  expect(flow.cards).toHaveLength(1);
  // The Teams URL is a credential: never in the host's output.
  expect(host.output()).not.toContain(flow.sig);
});

test('a burst’s digest goes out when due, with no further alert, from the delayed message on the real queue', async () => {
  const other = 'kim@sales.example';
  const base = {
    v: 1,
    kind: 'alert',
    leadId: lead.leadId,
    recipient: other,
    reason: 'newLead',
    stage: 'interest',
  } as const;
  const first: AlertEnvelope = { ...base, alertId: 'burst-first', raisedAt: new Date().toISOString() };
  const second: AlertEnvelope = { ...base, alertId: 'burst-second', raisedAt: new Date().toISOString() };
  await send('lead-alerts', encodeAlertMessage(first));
  await eventually('the first alert alone', () => (smtp.to(other).length === 1 ? true : undefined));
  const heldAt = Date.now();
  await send('lead-alerts', encodeAlertMessage(second));
  await eventually('the second alert held', () => said('Alert burst-second (lead'));
  expect(host.output()).toContain(`Alert burst-second (lead ${lead.leadId}) held for digest burst-second`);
  expect(smtp.to(other)).toHaveLength(1);
  await eventually('the digest', () => (smtp.to(other).length === 2 ? true : undefined), 45_000);
  // Not before the hold (30 s) is over: the message stayed invisible until then.
  expect(Date.now() - heldAt).toBeGreaterThanOrEqual(29_000);
  expect(smtp.to(other)[1]?.subject).toBe('1 more marketplace lead for you: contact them now');
  // The host logs the send after the transport has answered, so the line can follow the mail by a moment.
  await eventually('the digest logged', () => said('Digest burst-second sent (email, teams)'));
}, 60_000);

test('a hand-off retried into poison is kept, replayed by replay-poison, and delivered once', async () => {
  const change: HandOffEnvelope = { v: 1, leadId: lead.leadId, version: 11, created: true, at: lead.firstSeenAt };
  receiver.script({ status: 503 }, { status: 503 });
  await send('lead-handoffs', encodeHandOff(change));
  await eventually('the hand-off kept after poisoning', () =>
    said('failed handOffLead 2 times; kept in PoisonedLeads'),
  );
  expect(receiver.taken.size).toBe(0);
  // Kept beside poisoned leads, not counted as one.
  const health = (await (await fetch(`${host.baseUrl}/api/health`)).json()) as { poisonedLeads: number };
  expect(health.poisonedLeads).toBe(0);

  const replay = await run(process.execPath, [path.join(repoRoot, 'build', 'scripts', 'replay-poison.js')], {
    env: { ...process.env, ...sampleSettings(), AzureWebJobsStorage: azurite.connectionString },
  });
  expect(replay.stdout).toMatch(/Sent 1 poisoned alert and hand-off message\(s\) back to their queues .*; 0 left/);
  await eventually('the replayed hand-off delivered', () =>
    receiver.taken.has(`lead_${lead.leadId}_v11`) ? true : undefined,
  );
  expect(receiver.taken.get(`lead_${lead.leadId}_v11`)).toMatchObject({ type: 'lead.created', version: 11 });
});

test('a hand-off the receiver refuses for good goes to poison at once', async () => {
  const before = host.output().length;
  receiver.script({ status: 422, body: 'no such field' });
  const change: HandOffEnvelope = { v: 1, leadId: lead.leadId, version: 12, created: false, at: lead.lastSeenAt };
  await send('lead-handoffs', encodeHandOff(change));
  await eventually('the refusal poisoned', () =>
    said(`Hand-off of lead ${lead.leadId} v12 refused for good, moved to lead-handoffs-poison`),
  );
  // Not retried: no failed run; the kept copy waits for a fix and replay-poison.
  expect(host.output().slice(before)).not.toMatch(/Executed 'handOffLead' \(Failed/);
  await eventually('the refusal kept', () =>
    host.output().slice(before).includes('kept in PoisonedLeads') ? true : undefined,
  );
});

test("a receiver's error text quoting personal data reaches no log line and no recorded exception", async () => {
  const before = host.output().length;
  const text = "'+48 600 100 200' is not a valid phone number (contact Jan Kowalski, Fabrikam)";
  const reply = { headers: { 'content-type': 'text/plain' }, body: text };
  // Refused for good (an ALERT: line), then retried until poisoned (the thrown error the host records).
  receiver.script({ status: 400, ...reply }, { status: 500, ...reply }, { status: 500, ...reply });
  await send(
    'lead-handoffs',
    encodeHandOff({ v: 1, leadId: lead.leadId, version: 21, created: false, at: lead.lastSeenAt }),
  );
  await send(
    'lead-handoffs',
    encodeHandOff({ v: 1, leadId: lead.leadId, version: 22, created: false, at: lead.lastSeenAt }),
  );
  await eventually('both kept', () => {
    const out = host.output().slice(before);
    return out.split('kept in PoisonedLeads').length > 2 ? true : undefined;
  });
  const out = host.output().slice(before);
  expect(out).toContain(`answered HTTP 400 (text/plain, ${Buffer.byteLength(text)} bytes); not retried`);
  expect(out).toMatch(/Executed 'handOffLead' \(Failed.*answered HTTP 500 \(text\/plain, \d+ bytes\)/);
  for (const piece of ['+48', '600 100 200', 'phone', 'Kowalski', 'Fabrikam']) expect(out).not.toContain(piece);
});

test("a receiver's Retry-After is waited for (not the queue's own retry), then the hand-off is delivered once", async () => {
  const change: HandOffEnvelope = { v: 1, leadId: lead.leadId, version: 13, created: false, at: lead.lastSeenAt };
  const id = `lead_${lead.leadId}_v13`;
  receiver.script({ status: 429, headers: { 'retry-after': '6' } });
  await send('lead-handoffs', encodeHandOff(change));
  const refusedAt = await eventually('the first try', () =>
    receiver.requests.some((r) => r.id === id) ? Date.now() : undefined,
  );
  await eventually('the deferred copy delivered', () => (receiver.taken.has(id) ? true : undefined), 30_000);
  // This host retries a failed message at once (visibilityTimeout 0); the copy waited the 6 s asked for.
  expect(Date.now() - refusedAt).toBeGreaterThanOrEqual(5_000);
  expect(receiver.requests.filter((r) => r.id === id).map((r) => r.status)).toEqual([429, 204]);
  expect(host.output()).toContain(
    `Hand-off of lead ${lead.leadId} v13 tried 1 time(s); retried in 6 s as the receiver asked`,
  );
}, 45_000);

test('health shows the lead flow, names and times only; the silence check runs', async () => {
  // Health reads the listing as it stands; a list request catches it up (as the reminder run and the silence check do).
  expect((await fetch(`${host.baseUrl}/api/leads`)).status).toBe(200);
  const res = await fetch(`${host.baseUrl}/api/health`);
  const text = await res.text();
  const body = JSON.parse(text) as { leadFlow: LeadFlowHealth };
  expect(body.leadFlow).toEqual({
    lastRealLeadAt: lead.lastSeenAt,
    lastTestLeadAt: null,
    poisonQueueDepth: expect.any(Number) as number,
    rejectedLeads: 0,
    silence: { alertAfterDays: 14, alarmActive: false, silentSince: null, alarmSentAt: null },
  });
  expect(text).not.toMatch(/kowalski|fabrikam/i);
  const silence = await fetch(`${host.baseUrl}/admin/functions/watchSilence?wait=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input: '' }),
  });
  expect(silence.status).toBe(200);
});

test('an attempt logged through the API and an erasure reach the CRM at their versions', async () => {
  const accepted = await fetch(`${host.baseUrl}/api/leads`, { method: 'POST', body: sample('portal-create') });
  expect(accepted.status).toBe(202);
  const records = await waitForRecord(config, (all) => all.length === 2, 'the second lead recorded');
  const other = records.find((r) => r.leadId !== lead.leadId) as LeadRecord;
  await eventually('its creation handed off', () => (receiver.leads.has(other.leadId) ? true : undefined));

  const attempt = await fetch(`${host.baseUrl}/api/leads/${other.leadId}/attempts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ channel: 'phone', outcome: 'noAnswer' }),
  });
  expect(attempt.status).toBe(201);
  await eventually('the attempt handed off', () =>
    receiver.leads.get(other.leadId)?.data.status === 'contacted' ? true : undefined,
  );

  expect((await fetch(`${host.baseUrl}/api/leads/${other.leadId}`, { method: 'DELETE' })).status).toBe(200);
  await eventually('the erasure handed off', () =>
    receiver.leads.get(other.leadId)?.data.flags.includes('erased') ? true : undefined,
  );
  const copy = receiver.leads.get(other.leadId);
  expect(copy?.data.email).toBeUndefined();
  expect(copy?.type).toBe('lead.updated');
});
