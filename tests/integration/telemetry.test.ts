/**
 * Drives the real applicationinsights SDK against a fake ingestion endpoint and asserts on what it actually put on
 * the wire, so the test checks our configuration of the SDK, not a mock of it.
 *
 * The fake endpoint has to speak HTTPS: the exporter rewrites an `http://` IngestionEndpoint to `https://`
 * (ConnectionStringParser.sanitizeUrl in @azure/monitor-opentelemetry-exporter), so a plain HTTP listener only ever
 * sees a TLS handshake. A throwaway self-signed certificate for 127.0.0.1 is generated with the `openssl` CLI and
 * handed to the exporter as its trusted CA through the SDK's documented APPLICATIONINSIGHTS_CONFIGURATION_CONTENT
 * setting (merged into azureMonitorExporterOptions, i.e. core-rest-pipeline `tlsOptions`). Nothing in
 * shared/telemetry.ts is test-specific and TLS verification stays on.
 *
 * As in Azure, where the resource has local authentication off, the endpoint takes only Entra tokens: the app signs
 * in as its user-assigned identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING), through the real
 * ManagedIdentityCredential and a loopback managed-identity endpoint, and a request without a valid token gets 401.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import * as appInsights from 'applicationinsights';

import { readSettings, type TelemetrySettings, telemetrySettings } from '../../shared/config';
import { createTelemetry, type LeadTelemetryProperties, redactValue, shutdownTelemetry } from '../../shared/telemetry';
import {
  checkBearer,
  type ManagedIdentityEndpoint,
  startManagedIdentityEndpoint,
  type TokenClaims,
} from '../support/managedIdentityEndpoint';

// Keep the test hermetic: without these the exporter would also schedule SDK-health telemetry ("statsbeat" and
// customer SDK stats). Jest gives each test file its own copy of process.env, so this only affects this file; the
// SDK reads them when it is set up, i.e. at the first createTelemetry with a connection string. The exporter in use
// turns statsbeat off entirely only with the older APPLICATION_INSIGHTS_NO_STATSBEAT (the newer name stops only its
// optional part).
process.env.APPLICATIONINSIGHTS_STATSBEAT_DISABLED = 'true';
process.env.APPLICATION_INSIGHTS_NO_STATSBEAT = 'true';
process.env.APPLICATIONINSIGHTS_SDKSTATS_DISABLED = 'true';
// Anything the SDK would still send elsewhere than the loopback endpoint below goes to a proxy that is not there:
// refused at once, nothing leaves the machine.
process.env.HTTPS_PROXY = 'http://127.0.0.1:9';
process.env.NO_PROXY = '127.0.0.1';

/**
 * The exporter polls Microsoft's settings service (settings.sdk.monitor.azure.com) 5-15 s after it starts, from a
 * process-wide worker that shutting the SDK down does not stop and no setting switches off. Jest runs these files in
 * one process (in band on a two-core machine), so the poll outlived this file: a request still in flight when the
 * last test had ended, or the 10 s timeout the HTTP client leaves behind when a request fails, kept jest from exiting
 * ("Jest did not exit one second after the test run has completed"). The worker is internal, reachable by path only.
 */
function stopSettingsPoller(): void {
  const root = dirname(require.resolve('@azure/monitor-opentelemetry-exporter/package.json'));
  const file = join(root, 'dist', 'commonjs', '_configuration', 'configurationManager.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- an internal module: no public export reaches it
  const internal = require(file) as { ConfigurationManager: { getInstance(): { shutdown(): void } } };
  internal.ConfigurationManager.getInstance().shutdown();
}

function selfSignedCertificate(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'telemetry-test-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          keyPath,
          '-out',
          certPath,
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
        ],
        { stdio: 'pipe' },
      );
    } catch (error) {
      throw new Error(
        `This test needs the openssl CLI (1.1.1+) to create a throwaway certificate for its fake HTTPS ingestion endpoint: ${String(error)}`,
        { cause: error },
      );
    }
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The subset of the Application Insights envelope the assertions need. */
interface Envelope {
  name: string;
  iKey?: string;
  data?: {
    baseType?: string;
    baseData?: {
      name?: string;
      properties?: Record<string, string>;
      metrics?: Array<{ name: string; value: number; count?: number }>;
    };
  };
}

interface Received {
  path: string;
  envelopes: Envelope[];
  claims: TokenClaims;
}

// The audience the exporter asks tokens for (the connection string names no AADAudience).
const MONITOR_AUDIENCES = ['https://monitor.azure.com'];

const received: Received[] = [];
/** Requests refused for their token, with the reason. */
const refused: string[] = [];
let server: Server;
let port: number;
let identity: ManagedIdentityEndpoint;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The exporter posts a JSON array; tolerate newline-delimited JSON too so a transport change fails on content, not parsing. */
function parseEnvelopes(text: string): Envelope[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as Envelope[];
  return trimmed
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Envelope);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = await readBody(req);
  const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
  let envelopes: Envelope[] = [];
  if (req.method === 'POST' && /\/v2(\.1)?\/track$/.test(req.url ?? '')) {
    const bearer = checkBearer(req.headers.authorization, MONITOR_AUDIENCES);
    if (!bearer.ok) {
      refused.push(bearer.reason);
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ itemsReceived: 0, itemsAccepted: 0, errors: [{ message: bearer.reason }] }));
      return;
    }
    envelopes = parseEnvelopes(body.toString('utf8'));
    received.push({ path: req.url ?? '', envelopes, claims: bearer.claims });
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ itemsReceived: envelopes.length, itemsAccepted: envelopes.length, errors: [] }));
}

function allEnvelopes(): Envelope[] {
  return received.flatMap((r) => r.envelopes);
}

/** Polls instead of sleeping: OpenTelemetry batches, and how soon an export lands varies between machines. */
async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) {
      const seen = allEnvelopes().map(
        (e) => `${e.name}:${e.data?.baseData?.name ?? e.data?.baseData?.metrics?.[0]?.name ?? '?'}`,
      );
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; received: ${JSON.stringify(seen)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  identity = await startManagedIdentityEndpoint();
  // What App Service sets for the app; the credential picks its source on first use, after this.
  Object.assign(process.env, identity.env);
  const { cert, key } = selfSignedCertificate();
  process.env.APPLICATIONINSIGHTS_CONFIGURATION_CONTENT = JSON.stringify({
    azureMonitorExporterOptions: { tlsOptions: { ca: cert } },
  });
  server = createServer({ cert, key }, (req, res) => {
    handle(req, res).catch(() => {
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  // Shut the SDK down first (it clears its export timers and global providers) so jest can exit, then the listener.
  await shutdownTelemetry();
  stopSettingsPoller();
  // The exporter uses a keep-alive agent; drop its idle socket or close() would wait for it.
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await identity.stop();
});

describe('createTelemetry without a connection string', () => {
  it.each([undefined, '', '   '])('is a no-op for %p: nothing sent, nothing thrown', async (connectionString) => {
    const before = received.length;
    const telemetry = createTelemetry({ appInsightsConnectionString: connectionString });
    expect(() => telemetry.event('LeadReceived', { offer: 'o', source: 's', action: 'a', stage: 'x' })).not.toThrow();
    expect(() => telemetry.metric('LeadProcessingMs', 12)).not.toThrow();
    await expect(telemetry.flush()).resolves.toBeUndefined();
    expect(received.length).toBe(before);
  });
});

/** The settings as the app reads them in Azure: the connection string, and the identity to sign in as. */
function settings(instrumentationKey = '00000000-0000-0000-0000-000000000000'): TelemetrySettings {
  const s = readSettings({
    APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${instrumentationKey};IngestionEndpoint=http://127.0.0.1:${port}/`,
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: `ClientId=${identity.clientId};Authorization=AAD`,
  });
  expect(s.telemetry.ok).toBe(true);
  return telemetrySettings(s);
}

describe('createTelemetry with a connection string and the app identity', () => {
  beforeAll(() => {
    // The SDK starts here (one per process), and its settings poller stops before its first poll.
    createTelemetry(settings());
    stopSettingsPoller();
  });

  it('sends events and metrics through the real SDK, with personal data redacted', async () => {
    const telemetry = createTelemetry(settings());
    // One SDK per process: the same connection string must give back the same instance.
    expect(createTelemetry(settings())).toBe(telemetry);

    const props: LeadTelemetryProperties = {
      offer: 'contoso-crm-offer',
      source: 'AzureMarketplace',
      action: 'Create',
      stage: 'received',
      contact: 'jane.doe@example.com',
      phone: '+49 (30) 123-4567',
    };
    telemetry.event('LeadReceived', props);
    telemetry.metric('LeadProcessingMs', 42, { offer: 'contoso-crm-offer', stage: 'received' });
    await telemetry.flush();

    const event = await waitFor('a LeadReceived event', () =>
      allEnvelopes().find((e) => e.data?.baseType === 'EventData' && e.data.baseData?.name === 'LeadReceived'),
    );
    expect(event.iKey).toBe('00000000-0000-0000-0000-000000000000');
    expect(event.data?.baseData?.properties).toEqual(
      expect.objectContaining({
        offer: 'contoso-crm-offer',
        source: 'AzureMarketplace',
        action: 'Create',
        stage: 'received',
        contact: '[redacted]',
        phone: '[redacted]',
      }),
    );

    const metric = await waitFor('a LeadProcessingMs metric', () =>
      allEnvelopes().find(
        (e) =>
          e.data?.baseType === 'MetricData' && e.data.baseData?.metrics?.some((m) => m.name === 'LeadProcessingMs'),
      ),
    );
    expect(metric.data?.baseData?.metrics?.find((m) => m.name === 'LeadProcessingMs')?.value).toBe(42);
    expect(metric.data?.baseData?.properties).toEqual(
      expect.objectContaining({ offer: 'contoso-crm-offer', stage: 'received' }),
    );

    // Defence in depth, checked on the wire: no envelope of any kind carries the address or the number in clear.
    const wire = JSON.stringify(allEnvelopes());
    expect(wire).not.toContain('jane.doe@example.com');
    expect(wire).not.toContain('123-4567');
    // Everything auto-collectable is switched off: only our own event and metric types may arrive.
    expect(new Set(allEnvelopes().map((e) => e.data?.baseType))).toEqual(new Set(['EventData', 'MetricData']));
    // Signed in as the app's user-assigned identity, with a token for Azure Monitor; nothing was refused.
    expect(refused).toEqual([]);
    for (const r of received)
      expect(r.claims).toMatchObject({ aud: 'https://monitor.azure.com', appid: identity.clientId });
    expect(identity.requests).toContainEqual({ resource: 'https://monitor.azure.com', clientId: identity.clientId });
  });

  it('never throws into the caller, even with odd input', async () => {
    const telemetry = createTelemetry(settings());
    const loose = { offer: undefined } as unknown as Record<string, string>;
    expect(() => telemetry.event('LeadRejected', loose)).not.toThrow();
    expect(() => telemetry.metric('LeadProcessingMs', Number.NaN)).not.toThrow();
    await expect(telemetry.flush()).resolves.toBeUndefined();
  });

  it('refuses a second, different resource instead of sending to the wrong one', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const other = createTelemetry(settings('11111111-1111-1111-1111-111111111111'));
      expect(other).not.toBe(createTelemetry(settings()));
      expect(() => other.event('LeadMerged', { offer: 'o', source: 's', action: 'a', stage: 'x' })).not.toThrow();
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('when the SDK itself fails', () => {
  it('swallows the error and reports it once, without the data', () => {
    const telemetry = createTelemetry(settings());
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const track = jest.spyOn(appInsights.defaultClient, 'trackEvent').mockImplementation(() => {
      throw new Error('could not serialise jane.doe@example.com');
    });
    try {
      const props = { offer: 'o', source: 's', action: 'a', stage: 'x' };
      expect(() => telemetry.event('LeadReceived', props)).not.toThrow();
      expect(() => telemetry.event('LeadReceived', props)).not.toThrow();
      expect(track).toHaveBeenCalledTimes(2);
      expect(warn).toHaveBeenCalledTimes(1);
      const message = String(warn.mock.calls[0]?.[0]);
      expect(message).toMatch(/\[telemetry\] Application Insights trackEvent failed \(Error: \[redacted\]\)/);
      expect(message).not.toContain('jane.doe');
    } finally {
      track.mockRestore();
      warn.mockRestore();
    }
  });
});

describe('redactValue', () => {
  it.each([
    ['someone@example.com', '[redacted]'],
    ['@', '[redacted]'],
    ['+1 (555) 123-4567', '[redacted]'],
    ['01512345678', '[redacted]'],
    ['0151.2345.6789', '[redacted]'],
    ['1234567', '[redacted]'],
    ['123456', '123456'],
    ['contoso-crm-offer', 'contoso-crm-offer'],
    ['01ARZ3NDEKTSV4RRFFQ69G5FAV', '01ARZ3NDEKTSV4RRFFQ69G5FAV'],
    ['123e4567-e89b-12d3-a456-426614174000', '123e4567-e89b-12d3-a456-426614174000'],
    ['2024-05-01T12:00:00.000Z', '2024-05-01T12:00:00.000Z'],
    ['2024-05-01', '2024-05-01'],
    ['call 2024-05-01 at +49 30 1234567', '[redacted]'],
  ])('%p -> %p', (input, expected) => {
    expect(redactValue(input)).toBe(expected);
  });
});
