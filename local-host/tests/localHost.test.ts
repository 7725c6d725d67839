/**
 * The local host's contract, checked on a fixture app that uses only the public @azure/functions API: routing and
 * response conversion, queue retry → poison with the real host's metadata, and the admin endpoint.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { type QueueClient, QueueServiceClient } from '@azure/storage-queue';

import { eventually, type HostProcess, repoRoot, startHost, startTestAzurite } from '../../tests/support/hostProcess';
import type { RunningAzurite } from '../src/azurite';

const APP = path.join(repoRoot, 'local-host', 'fixtures', 'basic-app');
const QUEUE = 'fixture-work';

interface LogEntry {
  fn: string;
  message?: unknown;
  meta?: Record<string, unknown>;
  timer?: Record<string, unknown>;
  hasMetadata?: boolean;
  phase?: 'start' | 'end';
  n?: number;
  at?: number;
}

describe('local host', () => {
  let azurite: RunningAzurite;
  let host: HostProcess;
  let logFile: string;
  let queue: QueueClient;
  let poison: QueueClient;

  const entries = (): LogEntry[] =>
    fs.existsSync(logFile)
      ? fs
          .readFileSync(logFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as LogEntry)
      : [];
  const send = (value: unknown): Promise<unknown> =>
    queue.sendMessage(Buffer.from(JSON.stringify(value)).toString('base64'));

  beforeAll(async () => {
    azurite = await startTestAzurite();
    logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'local-host-')), 'calls.jsonl');
    host = await startHost(
      {
        AzureWebJobsStorage: azurite.connectionString,
        FIXTURE_LOG: logFile,
        FIXTURE_QUEUE: QUEUE,
        FIXTURE_SLOW_QUEUE: 'fixture-slow-idle',
      },
      { app: APP },
    );
    const service = QueueServiceClient.fromConnectionString(azurite.connectionString);
    queue = service.getQueueClient(QUEUE);
    poison = service.getQueueClient(`${QUEUE}-poison`);
  });
  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  test('prints the URL of every function on start', () => {
    expect(host.output()).toMatch(/item: \[GET,DELETE\] http:\/\/localhost:\d+\/fx\/items\/\{id\}/);
    expect(host.output()).toMatch(/flaky: queueTrigger on "fixture-work"/);
    expect(host.output()).toMatch(/tick: timerTrigger "0 0 0 1 1 \*", next run \d{4}-01-01T00:00:00.000Z/);
  });

  test('serves route parameters and query under the host.json route prefix', async () => {
    const res = await fetch(`${host.baseUrl}/fx/items/a%20b?q=1`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ fn: 'item', id: 'a b', q: '1' });
  });

  test('a literal segment wins over a parameter, whatever the registration order', async () => {
    const res = await fetch(`${host.baseUrl}/fx/items/special`);
    expect(res.status).toBe(418);
    expect(res.headers.get('x-fixture')).toBe('yes');
    expect(await res.text()).toBe('literal wins');
  });

  test('passes the body through as bytes and converts the response', async () => {
    const bytes = Buffer.from([0xff, 0x00, 0x7b]);
    const res = await fetch(`${host.baseUrl}/fx/echo`, { method: 'POST', body: bytes });
    expect(res.status).toBe(201);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
  });

  test('unknown route or method is 404, a handler returning nothing is 204', async () => {
    expect((await fetch(`${host.baseUrl}/fx/nope`)).status).toBe(404);
    expect((await fetch(`${host.baseUrl}/fx/echo`)).status).toBe(404);
    expect((await fetch(`${host.baseUrl}/fx/nothing`)).status).toBe(204);
  });

  test('a queue message that succeeds is deleted and sees the real trigger metadata', async () => {
    await send({ hello: 'world' });
    const entry = await eventually('the queue function to run', () =>
      entries().find((e) => e.fn === 'flaky' && (e.message as { hello?: string }).hello === 'world'),
    );
    expect(entry.meta).toMatchObject({
      dequeueCount: 1,
      id: expect.any(String),
      popReceipt: expect.any(String),
      insertionTime: expect.any(String),
    });
    await eventually('the message to be deleted', async () =>
      (await queue.getProperties()).approximateMessagesCount === 0 ? true : undefined,
    );
  });

  test('a failing message is retried maxDequeueCount times, then moved to <queue>-poison unchanged', async () => {
    const message = { fail: true, n: 42 };
    await send(message);
    await eventually('the message in the poison queue', async () =>
      (await poison.exists()) && (await poison.peekMessages()).peekedMessageItems.length > 0 ? true : undefined,
    );
    const tries = entries().filter((e) => e.fn === 'flaky' && (e.message as { n?: number }).n === 42);
    expect(tries.map((t) => t.meta?.dequeueCount)).toEqual([1, 2, 3]);
    const [poisoned] = (await poison.receiveMessages()).receivedMessageItems;
    expect(JSON.parse(Buffer.from(poisoned!.messageText, 'base64').toString('utf8'))).toEqual(message);
    expect((await queue.peekMessages()).peekedMessageItems).toHaveLength(0);
  });

  test('fetches a new batch once at most newBatchThreshold messages still run: up to batchSize + threshold at once', async () => {
    // Fixture host.json: batchSize 4, newBatchThreshold unset (half the batch size: 2). A host of its own starts on
    // a queue filled beforehand, so its first receive takes the first four in order: two quick messages and two
    // slow ones. When the quick two finish, two remain running (the threshold), so the next four start beside them.
    const slowQueue = 'fixture-slow';
    const slow = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(slowQueue);
    await slow.createIfNotExists();
    const plan: [number, number][] = [
      [1, 50],
      [2, 50],
      [3, 3000],
      [4, 3000],
      [5, 1500],
      [6, 1500],
      [7, 1500],
      [8, 1500],
    ];
    for (const [n, sleepMs] of plan)
      await slow.sendMessage(Buffer.from(JSON.stringify({ n, sleepMs })).toString('base64'));
    const own = await startHost(
      {
        AzureWebJobsStorage: azurite.connectionString,
        FIXTURE_LOG: logFile,
        FIXTURE_QUEUE: 'fixture-unused',
        FIXTURE_SLOW_QUEUE: slowQueue,
      },
      { app: APP },
    );
    try {
      await eventually(
        'all eight to end',
        () => (entries().filter((e) => e.fn === 'slow' && e.phase === 'end').length === 8 ? true : undefined),
        30000,
      );
    } finally {
      await own.stop();
    }
    let running = 0;
    let most = 0;
    const changes = entries()
      .filter((e) => e.fn === 'slow')
      .sort((a, b) => a.at! - b.at! || (a.phase === 'end' ? -1 : 1));
    for (const e of changes) {
      running += e.phase === 'start' ? 1 : -1;
      most = Math.max(most, running);
    }
    // Capped at batchSize (4) this would be 4.
    expect(most).toBe(6);
  });

  test('a message that is not base64 goes straight to the poison queue without running the function', async () => {
    const before = entries().length;
    await queue.sendMessage('not base64 at all!');
    await eventually('the message in the poison queue', async () => {
      const items = (await poison.peekMessages({ numberOfMessages: 32 })).peekedMessageItems;
      return items.some((m) => m.messageText === 'not base64 at all!') ? true : undefined;
    });
    expect(entries().length).toBe(before);
  });

  test('POST /admin/functions/<timer> runs the timer once with the Timer object', async () => {
    const res = await fetch(`${host.baseUrl}/admin/functions/tick`, {
      method: 'POST',
      body: JSON.stringify({ input: '' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(202);
    const entry = await eventually('the timer to run', () => entries().find((e) => e.fn === 'tick'));
    expect(entry.timer).toMatchObject({
      isPastDue: false,
      schedule: { adjustForDST: true },
      scheduleStatus: { next: expect.stringMatching(/-01-01T00:00:00/) },
    });
    expect(entry.hasMetadata).toBe(false);
  });

  test('the admin endpoint can wait for the outcome, and 404s an unknown or HTTP function', async () => {
    const waited = await fetch(`${host.baseUrl}/admin/functions/tick?wait=true`, {
      method: 'POST',
      body: '{"input":""}',
    });
    expect(waited.status).toBe(200);
    expect((await fetch(`${host.baseUrl}/admin/functions/nope`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${host.baseUrl}/admin/functions/echo`, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  test('the admin endpoint runs a queue function with the given input', async () => {
    const res = await fetch(`${host.baseUrl}/admin/functions/flaky?wait=true`, {
      method: 'POST',
      body: JSON.stringify({ input: '{"admin":1}' }),
    });
    expect(res.status).toBe(200);
    expect(entries().some((e) => e.fn === 'flaky' && (e.message as { admin?: number }).admin === 1)).toBe(true);
  });
});
