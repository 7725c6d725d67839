/**
 * The local host with HTTP streaming switched on (`app.setup({ enableHttpStream: true })`), checked on a fixture app
 * that uses only the public @azure/functions API: requests are forwarded to the library's own endpoint and the
 * response is relayed as the function writes it, as the Functions host does in Azure.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';

import { eventually, type HostProcess, repoRoot, startHost, startTestAzurite } from '../../tests/support/hostProcess';
import type { RunningAzurite } from '../src/azurite';

const APP = path.join(repoRoot, 'local-host', 'fixtures', 'stream-app');

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
    const res = await fetch(`${host.baseUrl}/fx/upload/big%20file?q=42&code=key`, {
      method: 'POST',
      body,
      headers: { 'x-test': 'yes' },
    });
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

  test('forwarded requests reuse kept-alive connections to the library, but never one a function left mid-body', async () => {
    const accepted = async (): Promise<number> =>
      ((await (await fetch(`${host.baseUrl}/fx/connections`)).json()) as { accepted: number }).accepted;
    const upload = async (): Promise<number> =>
      (await fetch(`${host.baseUrl}/fx/upload/small`, { method: 'POST', body: 'lead' })).status;
    const before = await accepted();
    for (let i = 0; i < 10; i++) expect(await upload()).toBe(201);
    // One after another, the requests share the connection the first count went over (a new one only if that one
    // sat idle past the keep-alive limit, seconds).
    expect((await accepted()) - before).toBeLessThanOrEqual(1);

    // A function that answers before reading a large body to its end (or cancels it) leaves the library's side of
    // that connection stuck mid-body or closes it: the next request must go out on another one, never wait on it.
    for (const then of ['stop', 'cancel', 'stop', 'cancel']) {
      const early = await fetch(`${host.baseUrl}/fx/head/4?then=${then}`, {
        method: 'POST',
        body: Buffer.alloc(2 * 1024 * 1024, 'a'),
      });
      await early.arrayBuffer();
      expect([200, 502]).toContain(early.status);
      const started = await accepted();
      expect(await upload()).toBe(201);
      expect(await accepted()).toBe(started);
    }
  });

  test('a function that throws or returns nothing gets a 504 and a warning: in Azure it would never be answered', async () => {
    for (const [route, fn, what] of [
      ['throws', 'throws', 'failed'],
      ['nothing', 'nothing', 'returned no response'],
    ] as const) {
      const res = await fetch(`${host.baseUrl}/fx/${route}`);
      expect(res.status).toBe(504);
      await eventually(`the warning for ${fn}`, () =>
        host.output().includes(`'${fn}' ${what} before answering`) ? true : undefined,
      );
    }
  });

  test('a body that fails midway never reaches the client as a complete response', async () => {
    const outcome = await fetch(`${host.baseUrl}/fx/breaks`).then(
      async (res) =>
        res.status === 200
          ? res.text().then(
              (t) => `complete 200: ${t}`,
              () => 'cut',
            )
          : `status ${res.status}`,
      () => 'cut',
    );
    // Either the failure was seen before the status went out (504, as for any unanswered request) or the connection was cut mid-body.
    expect(['cut', 'status 504']).toContain(outcome);
  });

  test('a declared body over the host limit is 413 unread', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${host.baseUrl}/fx/upload/huge`);
      const req = http.request(
        url,
        { method: 'POST', headers: { 'content-length': String(200 * 1024 * 1024) } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on('error', reject);
      req.write('x');
    });
    expect(status).toBe(413);
  });

  test('a handler that reads its whole body always answers; one that stops or cancels early never hangs the host', async () => {
    const post = (query: string, megabytes: number): Promise<Response> =>
      fetch(`${host.baseUrl}/fx/head/4${query}`, { method: 'POST', body: Buffer.alloc(megabytes * 1024 * 1024, 'a') });
    for (const size of [1, 5, 1, 5]) {
      const res = await post('', size);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('aaaa');
    }
    // Cancelling the body makes the library close the connection, so a response written after it is usually lost
    // (unless the whole body was in before the cancel); the host then answers 502 as the Functions host's forwarder
    // does for a reset connection, never leaving the caller waiting.
    expect([200, 502]).toContain((await post('?then=cancel', 5)).status);
    // Leaving it unread makes Node close the connection with bytes still arriving: the response may or may not make
    // it (which is why readBodyUpTo reads to the end). Either way there is an answer, and the host keeps serving.
    expect([200, 502]).toContain((await post('?then=stop', 5)).status);
    expect((await post('', 1)).status).toBe(200);

    // Clients that disconnect after part of a body, or right after the headers: the function sees its body fail
    // and the invocation ends (it never waits forever for a request the library did not get).
    const failedUploads = (): number => (host.output().match(/Executed 'upload' \(Failed/g) ?? []).length;
    const before = failedUploads();
    for (const sendPart of [true, false]) {
      await new Promise<void>((resolve) => {
        const req = http.request(new URL(`${host.baseUrl}/fx/upload/abandoned`), {
          method: 'POST',
          headers: { 'content-length': '1000000' },
        });
        req.on('error', () => resolve());
        const leave = (afterMs: number): void => void setTimeout(() => (req.destroy(), resolve()), afterMs);
        if (sendPart) req.write('partial', () => leave(100));
        else {
          req.flushHeaders();
          leave(5);
        }
      });
    }
    await eventually('both abandoned uploads to end', () => (failedUploads() >= before + 2 ? true : undefined));
  });
});
