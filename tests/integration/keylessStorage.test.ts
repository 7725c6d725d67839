/**
 * The app as it runs in Azure, with no account key anywhere: storage is reached through the identity-based
 * settings (`AzureWebJobsStorage__queueServiceUri` / `__tableServiceUri`, `__credential=managedidentity`,
 * `__clientId`), tokens come from a loopback managed-identity endpoint speaking App Service's protocol
 * (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`) to the real ManagedIdentityCredential, and Azurite runs in OAuth mode
 * over HTTPS, checking every token. In front of it, a storage front refuses every request that carries no bearer
 * token, as an account with shared keys off does (tests/support/bearerOnlyStorage.ts).
 *
 * Through the local host in its own process: a lead is received, queued, processed and listed; reminders go out
 * through Microsoft Graph and then Communication Services, signed in as the same identity; a lead is erased; a
 * poisoned lead is kept and `npm run replay-poison` sends it back. Then: no request was refused for want of a
 * token, and every token was the app identity's.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { type RunningAzurite, startAzurite } from '../../local-host/src/azurite';
import { probeSettings, readSettings } from '../../shared/config';
import { checkHealth } from '../../shared/health';
import { newUlid } from '../../shared/ids';
import { healthProbes } from '../../shared/ops/healthProbes';
import { type BearerOnlyStorage, startBearerOnlyStorage } from '../support/bearerOnlyStorage';
import { type FakeCommunicationServices, startFakeCommunicationServices } from '../support/fakeCommunicationServices';
import { type FakeGraph, startFakeGraph } from '../support/fakeGraph';
import { eventually, type HostProcess, repoRoot, sampleSettings, startHost } from '../support/hostProcess';
import { getJson, leadBody, type LeadSummary, type ListBody, waitForLead } from '../support/leadApi';
import { envelopeFor } from '../support/leadFixtures';
import { type ManagedIdentityEndpoint, startManagedIdentityEndpoint } from '../support/managedIdentityEndpoint';
import { selfSignedCertificate } from '../support/tls';

const HOUR = 3600_000;
const MAILBOX = 'leads@contoso.example';
const ACS_SENDER = 'DoNotReply@4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f.azurecomm.net';
const certificate = selfSignedCertificate();
const files = mkdtempSync(path.join(tmpdir(), 'keyless-'));
const certPath = path.join(files, 'cert.pem');
const keyPath = path.join(files, 'key.pem');
writeFileSync(certPath, certificate.cert);
writeFileSync(keyPath, certificate.key);

let identity: ManagedIdentityEndpoint;
let azurite: RunningAzurite;
let queues: BearerOnlyStorage;
let tables: BearerOnlyStorage;
let graph: FakeGraph;
let acs: FakeCommunicationServices;
let host: HostProcess;
let env: Record<string, string>;
const outputs: string[] = [];

beforeAll(async () => {
  identity = await startManagedIdentityEndpoint();
  azurite = await startAzurite({ oauth: { certPath, keyPath } });
  queues = await startBearerOnlyStorage({ certificate, service: azurite.urls.queue });
  tables = await startBearerOnlyStorage({ certificate, service: azurite.urls.table });
  graph = await startFakeGraph({ certificate, mailboxes: [MAILBOX] });
  acs = await startFakeCommunicationServices({ certificate, senderAddress: ACS_SENDER });
  env = {
    // What infra/app/function.bicep sets, pointed at the fronts; the sample's connection string is blanked.
    AzureWebJobsStorage: '',
    AzureWebJobsStorage__queueServiceUri: queues.url,
    AzureWebJobsStorage__tableServiceUri: tables.url,
    AzureWebJobsStorage__credential: 'managedidentity',
    AzureWebJobsStorage__clientId: identity.clientId,
    // What App Service sets for an app with a managed identity.
    ...identity.env,
    // The loopback services' certificate, trusted as a CA; read by Node at start, hence in the child's env.
    NODE_EXTRA_CA_CERTS: certPath,
    MAIL_TRANSPORT: 'graph',
    MAIL_GRAPH_ENDPOINT: graph.url,
    MAIL_FROM: `Marketplace leads <${MAILBOX}>`,
    // Never fires during the test: every run is the test's own admin call.
    REMINDER_SCHEDULE: '0 0 0 1 1 *',
  };
  host = await startHost(env);
});

afterAll(async () => {
  await host?.stop();
  await acs?.stop();
  await graph?.stop();
  await queues?.stop();
  await tables?.stop();
  await azurite?.stop();
  await identity?.stop();
  rmSync(files, { recursive: true, force: true });
});

async function admin(name: string, input: string, target: HostProcess = host): Promise<void> {
  const res = await fetch(`${target.baseUrl}/admin/functions/${name}?wait=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input }),
  });
  expect({ name, status: res.status, text: await res.text() }).toEqual({ name, status: 200, text: 'Succeeded' });
}

/** A lead processed as if Microsoft had sent it `hoursAgo` hours ago, so that it is due for a reminder. */
async function processedAgo(hoursAgo: number, email: string, target: HostProcess = host): Promise<string> {
  const at = new Date(Date.now() - hoursAgo * HOUR);
  const envelope = envelopeFor(leadBody({ firstName: 'Ida', email }, 'contoso.keyless'), at, newUlid());
  await admin('processLead', JSON.stringify(envelope), target);
  return envelope.id;
}

async function listed(baseUrl: string, email: string): Promise<LeadSummary | undefined> {
  const { status, body } = await getJson<ListBody>(`${baseUrl}/api/leads?q=${encodeURIComponent(email)}`);
  expect(status).toBe(200);
  return body.items.find((l) => l.email === email);
}

async function health(): Promise<{ ok: boolean; poisonedLeads: number | null }> {
  return (await getJson<{ ok: boolean; poisonedLeads: number | null }>(`${host.baseUrl}/api/health`)).body;
}

describe('keyless storage, mail and scripts, as in Azure', () => {
  test('the host reaches storage through the identity settings, without starting Azurite', async () => {
    expect(JSON.stringify(env)).not.toMatch(/AccountKey|UseDevelopmentStorage|SharedAccessSignature/);
    expect(host.output()).toContain(
      `Storage: queues at ${queues.url}, tables at ${tables.url}, signed in with managed identity with client id ${identity.clientId} (no Azurite)`,
    );
    expect(host.output()).not.toMatch(/Started Azurite|Using the Azurite/);
    expect(await health()).toMatchObject({ ok: true, poisonedLeads: 0 });
  });

  test('a lead posted to the app is queued, processed by the queue trigger and listed by the API', async () => {
    const email = 'ida.posted@customer.example';
    const res = await fetch(`${host.baseUrl}/api/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: leadBody({ firstName: 'Ida', lastName: 'Posted', email }, 'contoso.keyless'),
    });
    expect(res.status).toBe(202);
    const lead = await eventually('the posted lead listed', () => listed(host.baseUrl, email), 30_000);
    expect(await waitForLead(host.baseUrl, lead.leadId)).toMatchObject({ email, eventCount: 1 });
    // Its owner hears of it at once, through Graph as the app identity (the alert is delivered from its own queue).
    const alert = await eventually('the new-lead alert', () =>
      graph.sent.find((m) => m.body.message.body.content.includes(lead.leadId)),
    );
    expect(alert.body.message.subject).toMatch(/^New marketplace lead/);
  });

  test('reminders go out through Microsoft Graph, as the app identity', async () => {
    const leadId = await processedAgo(25, 'ida.due@customer.example');
    await admin('sendReminders', '');
    // Alerts travel their own queue and may land at any moment: count the reminder digests alone.
    const digests = graph.sent.filter((m) => m.body.message.subject.includes('waiting for follow-up'));
    expect(digests).toHaveLength(1);
    expect(digests[0]?.sender).toBe(MAILBOX);
    expect(digests[0]?.claims).toMatchObject({ aud: 'https://graph.microsoft.com', appid: identity.clientId });
    expect(digests[0]?.body.message.body.content).toContain(leadId);
  });

  test('a lead is erased', async () => {
    const email = 'ida.erased@customer.example';
    const leadId = await processedAgo(1, email);
    const res = await getJson<{ result: string }>(`${host.baseUrl}/api/leads/${leadId}`, { method: 'DELETE' });
    expect(res).toMatchObject({ status: 200, body: { result: 'erased' } });
    const after = await getJson<{ lead: LeadSummary }>(`${host.baseUrl}/api/leads/${leadId}`);
    expect(JSON.stringify(after.body)).not.toContain(email);
  });

  test('a poisoned lead is kept, and npm run replay-poison sends it back with the same settings', async () => {
    const email = 'ida.poisoned@customer.example';
    const envelope = envelopeFor(leadBody({ firstName: 'Ida', email }, 'contoso.keyless'));
    // As the host hands keepPoisonedLead a message from leads-incoming-poison.
    await admin('keepPoisonedLead', JSON.stringify(envelope));
    expect((await health()).poisonedLeads).toBe(1);

    const script = path.join(repoRoot, 'build', 'scripts', 'replay-poison.js');
    const replay = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [script],
        { env: { ...process.env, ...sampleSettings(), ...env }, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(replay).toMatchObject({ code: 0, stderr: '' });
    expect(replay.stdout).toMatch(/Sent 1 poisoned lead\(s\) back to leads-incoming .*; 0 failed; 0 left/);
    const lead = await eventually('the replayed lead listed', () => listed(host.baseUrl, email), 30_000);
    expect(lead.leadId).toBe(envelope.id);
    expect((await health()).poisonedLeads).toBe(0);
  });

  test('reminders go out through Communication Services, as the same identity', async () => {
    await host.stop();
    outputs.push(host.output());
    // Instant alerts off: the lead's alert would go through Communication Services too, and this counts reminders.
    host = await startHost({
      ...env,
      MAIL_TRANSPORT: 'acs',
      ACS_ENDPOINT: acs.url,
      MAIL_FROM: ACS_SENDER,
      ALERT_ON_NEW_LEAD: 'false',
    });
    const leadId = await processedAgo(26, 'ida.due.acs@customer.example');
    await admin('sendReminders', '');
    expect(acs.queued).toHaveLength(1);
    expect(acs.queued[0]?.message.senderAddress).toBe(ACS_SENDER);
    expect(acs.queued[0]?.claims).toMatchObject({ aud: 'https://communication.azure.com/', appid: identity.clientId });
    expect(acs.queued[0]?.message.content.html).toContain(leadId);
  });

  test('no request went without a token, and every token was the app identity’s', () => {
    outputs.push(host.output());
    expect(queues.refused).toEqual([]);
    expect(tables.refused).toEqual([]);
    expect(queues.bearerRequests).toBeGreaterThan(0);
    expect(tables.bearerRequests).toBeGreaterThan(0);
    const resources = new Set(identity.requests.map((r) => r.resource));
    expect([...resources].sort()).toEqual(
      ['https://communication.azure.com/', 'https://graph.microsoft.com', 'https://storage.azure.com'].sort(),
    );
    expect(identity.requests.filter((r) => r.clientId !== identity.clientId)).toEqual([]);
    // Nothing was refused by Azurite either: a token it rejects would have failed a storage call.
    expect(outputs.join('\n')).not.toMatch(/AuthenticationFailed|AuthorizationFailure|KeyBasedAuthentication/);
  });

  // Last: the token requests it makes are for a client id the app does not have.
  test('health names an identity that gets no token (a client id the app does not have)', async () => {
    // In this process, as in the app: the credential picks the managed-identity endpoint on first use.
    Object.assign(process.env, identity.env);
    const settings = readSettings({
      ...sampleSettings(),
      ...env,
      AzureWebJobsStorage__clientId: '0b6f1e2a-8c1d-4a53-9f0e-6b2c1d3e4f50',
    });
    const checked = probeSettings(settings);
    if (!checked.ok) throw new Error(`settings: ${JSON.stringify(checked.problems)}`);
    const report = await checkHealth(healthProbes(checked.value), []);
    const refusal = "CredentialUnavailableError: no token from the app's identity";
    expect(report.checks).toEqual([
      { name: 'queue', ok: false, error: refusal },
      { name: 'table', ok: false, error: refusal },
    ]);
    expect(identity.requests.at(-1)).toEqual({
      resource: 'https://storage.azure.com',
      clientId: '0b6f1e2a-8c1d-4a53-9f0e-6b2c1d3e4f50',
    });
  });
});
