/**
 * A lead processed while the Teams URL and the webhook secret are Key Vault references the platform has not
 * resolved (they reach the app as the reference text) still owes its alert and its hand-off: processing queues
 * both; the alert's email goes out at once, since the Teams channel is read apart; the card and the hand-off fail
 * naming their settings and are kept once poisoned, and after the fix `npm run replay-poison` brings them back and
 * they are delivered, once each, the email not again.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';

import type { RunningAzurite } from '../../local-host/src/azurite';
import { formatWebhookSecret } from '../../shared/sell/crm/standardWebhooks';
import { type DeliveryRig, startDeliveryRig } from '../support/deliveryRig';
import type { FakeTeamsWorkflow } from '../support/fakeTeamsWorkflow';
import { eventually, type HostProcess, repoRoot, sampleSettings, startHost } from '../support/hostProcess';
import { sample, testConfig, waitForRecord } from '../support/leadFixtures';
import type { SmtpSink } from '../support/smtpSink';
import { testStore } from '../support/testStore';
import type { Receiver } from '../support/webhookReceiver';

const run = promisify(execFile);
const SECRET = formatWebhookSecret(randomBytes(32));
const reference = (name: string): string =>
  `@Microsoft.KeyVault(SecretUri=https://kv-leads.vault.azure.net/secrets/${name}/)`;

let azurite: RunningAzurite;
let smtp: SmtpSink;
let flow: FakeTeamsWorkflow;
let receiver: Receiver;
let host: HostProcess | undefined;
let rig: DeliveryRig;
let env: Record<string, string>;

beforeAll(async () => {
  rig = await startDeliveryRig(SECRET);
  ({ azurite, smtp, flow, receiver } = rig);
  env = rig.env;
}, 60_000);

afterAll(async () => {
  await host?.stop();
  await rig?.stop();
});

test('the email goes out at once; the card and the hand-off wait, kept, and are delivered once after the fix', async () => {
  host = await startHost({
    ...env,
    TEAMS_WEBHOOK_URL: reference('teams-webhook-url'),
    WEBHOOK_SECRET: reference('webhook-secret'),
  });
  const accepted = await fetch(`${host.baseUrl}/api/leads`, { method: 'POST', body: sample('journey-1-contact-me') });
  expect(accepted.status).toBe(202);
  const config = testConfig(azurite.connectionString, { ...env, WEBHOOK_SECRET: SECRET });
  const [lead] = await waitForRecord(config, (all) => all.length === 1, 'the lead recorded');
  if (lead === undefined) throw new Error('no lead');
  expect(lead.owner).toBeDefined();

  // The email does not wait for Teams; the card and the hand-off fail naming their setting, and are kept once poisoned.
  const output = (): string => host?.output() ?? '';
  await eventually('the alert and the hand-off kept', () =>
    output().includes('failed deliverAlert 2 times; kept in PoisonedLeads') &&
    output().includes('failed handOffLead 2 times; kept in PoisonedLeads')
      ? true
      : undefined,
  );
  expect(output()).toMatch(/Teams: the Teams settings are wrong \(TEAMS_WEBHOOK_URL\)/);
  expect(output()).toMatch(/Misconfigured app settings: WEBHOOK_SECRET is a Key Vault reference/);
  expect(smtp.received.map((m) => m.rcptTo)).toEqual([[lead.owner]]);
  expect(flow.cards).toHaveLength(0);
  expect(receiver.taken.size).toBe(0);
  await host.stop();

  // The references resolve (the role is granted): the same app, its settings now the secrets themselves.
  host = await startHost({ ...env, TEAMS_WEBHOOK_URL: flow.url, WEBHOOK_SECRET: SECRET });
  const replay = await run(process.execPath, [path.join(repoRoot, 'build', 'scripts', 'replay-poison.js')], {
    env: { ...process.env, ...sampleSettings(), AzureWebJobsStorage: azurite.connectionString },
  });
  expect(replay.stdout).toMatch(/Sent 2 poisoned alert and hand-off message\(s\) back to their queues .*; 0 left/);
  await eventually('the alert and the hand-off delivered', () =>
    smtp.received.length === 1 && flow.cards.length === 1 && receiver.taken.size === 1 ? true : undefined,
  );
  expect(smtp.received[0]?.rcptTo).toEqual([lead.owner]);
  expect([...receiver.taken.values()]).toEqual([
    expect.objectContaining({ type: 'lead.created', version: 1 }) as unknown,
  ]);
}, 120_000);

test('an alert queued while ALERT_ON_NEW_LEAD was malformed is dropped once it reads false, and its intent with it', async () => {
  await host?.stop();
  // A typo reads as "on" (the safer guess), so the alert is queued and waits for the setting, kept once poisoned.
  const settings = { ...env, TABLE_NAME_PREFIX: 'AlertsOff', WEBHOOK_URL: '' };
  host = await startHost({ ...settings, ALERT_ON_NEW_LEAD: 'False' });
  smtp.reset();
  const accepted = await fetch(`${host.baseUrl}/api/leads`, { method: 'POST', body: sample('journey-1-contact-me') });
  expect(accepted.status).toBe(202);
  const config = testConfig(azurite.connectionString, settings);
  const [lead] = await waitForRecord(config, (all) => all.length === 1, 'the lead recorded');
  if (lead === undefined) throw new Error('no lead');
  const output = (): string => host?.output() ?? '';
  await eventually('the alert kept', () =>
    output().includes('failed deliverAlert 2 times; kept in AlertsOffPoisonedLeads') ? true : undefined,
  );
  const store = testStore(config);
  expect((await store.readLead(lead.leadId)).intents?.map((i) => i.intent.kind)).toEqual(['alert']);
  await host.stop();

  host = await startHost({ ...settings, ALERT_ON_NEW_LEAD: 'false' });
  await run(process.execPath, [path.join(repoRoot, 'build', 'scripts', 'replay-poison.js')], {
    env: { ...process.env, ...sampleSettings(), ...settings },
  });
  await eventually('the alert dropped', () =>
    output().includes(`(lead ${lead.leadId}) not sent: ALERT_ON_NEW_LEAD is false`) ? true : undefined,
  );
  expect((await store.readLead(lead.leadId)).intents ?? []).toEqual([]);
  expect(smtp.received).toHaveLength(0);
}, 120_000);
