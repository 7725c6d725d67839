/**
 * The local host with HTTP streaming switched on (`app.setup({ enableHttpStream: true })`), checked on a fixture app
 * that uses only the public @azure/functions API: requests are forwarded to the library's own endpoint and the
 * response is relayed as the function writes it, as the Functions host does in Azure.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import type { RunningAzurite } from '../../scripts/local-host/azurite';
import { eventually, repoRoot, startHost, startTestAzurite, type HostProcess } from '../support/hostProcess';

const APP = path.join(repoRoot, 'tests', 'fixtures', 'local-host-stream-app');

describe('local host with HTTP streaming', () => {
  let azurite: RunningAzurite;
  let host: HostProcess;

  beforeAll(async () => {
    azurite = await startTestAzurite();
    host = await startHost({ AzureWebJobsStorage: azurite.connectionString }, { app: APP });
  });
  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  test('loads the setup file through the brace in package.json main and says streaming is on', () => {
    expect(host.output()).toMatch(/HTTP streaming is on/);
    expect(host.output()).toMatch(/gated: \[GET\] http:\/\/localhost:\d+\/fx\/gated/);
  });

  test('relays the response while the function is still writing it', async () => {
    const res = await fetch(`${host.baseUrl}/fx/gated`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-fixture')).toBe('gated');
    expect(res.headers.get('content-length')).toBeNull();
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    // The function cannot write its second line until the gate opens, so this line came through on its own.
    let received = '';
    while (!received.includes('\n')) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`response ended after ${JSON.stringify(received)}`);
      received += decoder.decode(value, { stream: true });
    }
    expect(received).toBe('first line\n');
    expect((await fetch(`${host.baseUrl}/fx/gate/open`, { method: 'POST' })).status).toBe(200);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      received += decoder.decode(value, { stream: true });
    }
    expect(received).toBe('first line\nsecond line\n');
  });

  test('streams a request body to the function with route parameters, query and headers', async () => {
    const body = Buffer.alloc(3 * 1024 * 1024, 'lead,');
    const res = await fetch(`${host.baseUrl}/fx/upload/big%20file?q=42&code=key`, { method: 'POST', body, headers: { 'x-test': 'yes' } });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({
      // As in Azure, query keys other than the function key arrive among the route parameters.
      params: { name: 'big file', q: '42' },
      q: '42',
      header: 'yes',
      url: `${host.baseUrl}/fx/upload/big%20file?q=42&code=key`,
      bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
    });
  });

  test('a function that throws before answering gives a 500 and a warning about Azure', async () => {
    const res = await fetch(`${host.baseUrl}/fx/throws`);
    expect(res.status).toBe(500);
    await eventually('the failure in the log', async () => (/Executed 'throws' \(Failed/.test(host.output()) ? true : undefined));
    expect(host.output()).toMatch(/'throws' failed before answering.*forwarding timeout/);
  });

  test('a body that fails midway never reaches the client as a complete response', async () => {
    const outcome = await fetch(`${host.baseUrl}/fx/breaks`).then(
      async (res) => (res.status === 200 ? res.text().then((t) => `complete 200: ${t}`, () => 'cut') : `status ${res.status}`),
      () => 'cut',
    );
    // Either the failure was seen before the status went out (500) or the connection was cut mid-body.
    expect(['cut', 'status 500']).toContain(outcome);
  });

  test('a handler returning nothing is 204, and a declared body over the host limit is 413 unread', async () => {
    expect((await fetch(`${host.baseUrl}/fx/nothing`)).status).toBe(204);
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${host.baseUrl}/fx/upload/huge`);
      const req = http.request(url, { method: 'POST', headers: { 'content-length': String(200 * 1024 * 1024) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('x');
    });
    expect(status).toBe(413);
  });
});
