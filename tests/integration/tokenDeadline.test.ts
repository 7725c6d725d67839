/**
 * A managed-identity endpoint that takes the request and never answers: the credential has no timeout of its own
 * and ignores abort signals, so without the app's deadlines a storage call, a mail send or a telemetry export would
 * wait for minutes. Each storage call answers at its deadline; any token request gives up at the credential's.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { boundedCredential, createCredential } from '../../shared/azureCredential';
import { queueClient, tableClient } from '../../shared/storage/clients';
import type { StorageConnection } from '../../shared/storage/connection';
import { isStorageTimeout } from '../../shared/storage/deadline';

const CLIENT_ID = '0b6f1e2a-8c1d-4a53-9f0e-6b2c1d3e4f50';
let server: Server;
let requests = 0;
const waiting: ServerResponse[] = [];

beforeAll(async () => {
  server = createServer((_req, res) => {
    requests++;
    waiting.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  // What App Service sets; the credential picks its source on first use, after this.
  Object.assign(process.env, { IDENTITY_ENDPOINT: `http://127.0.0.1:${port}/msi/token`, IDENTITY_HEADER: 'secret' });
});

afterAll(async () => {
  // Answered at last, with a refusal the credential does not retry: a dropped connection would be retried for
  // seconds by the credential's own pipeline, after the tests that gave up on it.
  for (const res of waiting) {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ statusCode: 400, message: 'Unable to load the proper Managed Identity.' }));
  }
  await new Promise((resolve) => setImmediate(resolve));
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function timed(promise: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, ms: Date.now() - started };
}

test('a storage call with an identity answers at its deadline when no token comes', async () => {
  const connection: StorageConnection = {
    kind: 'identity',
    // Never reached: the token is asked for first.
    queueServiceUrl: 'https://127.0.0.1:9/devstoreaccount1',
    tableServiceUrl: 'https://127.0.0.1:9/devstoreaccount1',
    credential: { kind: 'managedIdentity', clientId: CLIENT_ID },
  };
  const before = requests;
  const queue = await timed(queueClient(connection, 'leads-incoming', 800).exists());
  const table = await timed(tableClient(connection, 'Leads', 800).createTable());
  for (const { error, ms } of [queue, table]) {
    expect(isStorageTimeout(error)).toBe(true);
    expect(ms).toBeLessThan(3_000);
  }
  expect(requests).toBeGreaterThan(before);
}, 15_000);

test('a token request gives up at the credential’s deadline, as an unavailable credential', async () => {
  const credential = boundedCredential(createCredential({ kind: 'managedIdentity', clientId: CLIENT_ID }), 500);
  const { error, ms } = await timed(credential.getToken('https://graph.microsoft.com/.default'));
  expect(error).toMatchObject({ name: 'CredentialUnavailableError', message: expect.stringMatching(/within 500 ms/) });
  expect(ms).toBeLessThan(2_500);
}, 15_000);
