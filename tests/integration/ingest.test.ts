import fs from 'node:fs';
import path from 'node:path';

import { QueueServiceClient } from '@azure/storage-queue';

import type { RunningAzurite } from '../../local-host/src/azurite';
import { startAzurite } from '../../local-host/src/azurite';
import { freePort } from '../../local-host/src/freePort';
import { type HostProcess, repoRoot, startHost, startTestAzurite } from '../support/hostProcess';

const QUEUE = 'leads-incoming';
const samplesDir = path.join(repoRoot, 'samples');
const sampleFiles = fs.readdirSync(samplesDir).filter((f) => f.endsWith('.json'));

async function drainQueue(connectionString: string): Promise<{ text: string }[]> {
  const queue = QueueServiceClient.fromConnectionString(connectionString).getQueueClient(QUEUE);
  await queue.createIfNotExists();
  const all: { text: string }[] = [];
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32 });
    if (receivedMessageItems.length === 0) return all;
    for (const m of receivedMessageItems) {
      all.push({ text: m.messageText });
      await queue.deleteMessage(m.messageId, m.popReceipt);
    }
  }
}

function post(
  baseUrl: string,
  body: string | Buffer,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<Response> {
  return fetch(`${baseUrl}/api/leads?code=test-key`, { method: 'POST', body, headers });
}

describe('POST /api/leads through the local host', () => {
  let azurite: RunningAzurite;
  let host: HostProcess;

  beforeAll(async () => {
    azurite = await startTestAzurite();
    // Processing is switched off the way the real host does it, so the test reads what ingestion queued.
    host = await startHost({
      AzureWebJobsStorage: azurite.connectionString,
      'AzureWebJobs.processLead.Disabled': 'true',
    });
  });
  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });
  beforeEach(async () => {
    await drainQueue(azurite.connectionString);
  });

  test.each(sampleFiles)('sample %s is answered 202 and sits on the queue as a base64 envelope', async (file) => {
    const raw = fs.readFileSync(path.join(samplesDir, file), 'utf8');
    const res = await post(host.baseUrl, raw);
    expect(res.status).toBe(202);
    // A length, not chunks: a streamed answer without one costs the worker and the host a write more each.
    expect(res.headers.get('transfer-encoding')).toBeNull();
    const text = await res.text();
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    const { id } = JSON.parse(text) as { id: string };
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);

    const messages = await drainQueue(azurite.connectionString);
    expect(messages).toHaveLength(1);
    const envelope = JSON.parse(Buffer.from(messages[0]!.text, 'base64').toString('utf8')) as Record<string, unknown>;
    expect(envelope).toMatchObject({ v: 1, id, rawBody: raw });
    expect(Date.parse(envelope.receivedAt as string)).toBeGreaterThan(Date.now() - 60000);
    // The function key travels in the URL: only the parameter's name is kept.
    expect(JSON.stringify(envelope)).not.toContain('test-key');
    expect(envelope.request).toMatchObject({ queryKeys: ['code'], contentType: 'application/json' });
  });

  test('a lead sent with another Content-Type is still accepted', async () => {
    const raw = fs.readFileSync(path.join(samplesDir, 'https-example.json'));
    const res = await post(host.baseUrl, raw, { 'content-type': 'text/plain' });
    expect(res.status).toBe(202);
    expect(await drainQueue(azurite.connectionString)).toHaveLength(1);
  });

  test('a rejected lead is a 400 naming field and rule, and nothing is queued', async () => {
    const res = await post(host.baseUrl, JSON.stringify({ UserDetails: { Email: { nested: true } } }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { problems: { field: string; rule: string; message: string }[] };
    expect(body.problems).toEqual([expect.objectContaining({ field: 'UserDetails.Email', rule: 'type' })]);
    expect(await drainQueue(azurite.connectionString)).toHaveLength(0);
  });

  test('a body over 32 KiB is a 413 and nothing is queued', async () => {
    const res = await post(host.baseUrl, JSON.stringify({ Description: 'x'.repeat(33 * 1024) }));
    expect(res.status).toBe(413);
    expect(await drainQueue(azurite.connectionString)).toHaveLength(0);
  });

  test('methods other than POST on the ingestion route get 405 naming POST', async () => {
    const res = await fetch(`${host.baseUrl}/api/leads`, { method: 'PUT', body: '{}' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  test('health reports storage reachable', async () => {
    const res = await fetch(`${host.baseUrl}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
  });
});

describe('storage down', () => {
  test('answers 503 with Retry-After, acknowledges nothing, and accepts again once storage is back', async () => {
    const ports = { blob: await freePort(), queue: await freePort(), table: await freePort() };
    const first = await startAzurite({ ports });
    const host = await startHost({
      AzureWebJobsStorage: first.connectionString,
      'AzureWebJobs.processLead.Disabled': 'true',
    });
    try {
      await first.stop();
      const raw = fs.readFileSync(path.join(samplesDir, 'https-example.json'), 'utf8');
      const down = await post(host.baseUrl, raw);
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBe('30');
      expect(await down.json()).toMatchObject({ error: 'storage_unavailable' });
      const health = await fetch(`${host.baseUrl}/api/health`);
      expect(health.status).toBe(503);
      const report = (await health.json()) as { checks: { name: string; ok: boolean; error?: string }[] };
      expect(report.checks).toContainEqual({ name: 'queue', ok: false, error: expect.stringMatching(/ECONNREFUSED/) });
      // Anonymous endpoint: no host names or addresses.
      expect(JSON.stringify(report)).not.toMatch(/127\.0\.0\.1|devstoreaccount1/);

      // Same ports, empty storage: the 503 lead is not there (it was never acknowledged); a retry lands once.
      const second = await startAzurite({ ports });
      try {
        const retry = await post(host.baseUrl, raw);
        expect(retry.status).toBe(202);
        const messages = await drainQueue(second.connectionString);
        expect(messages).toHaveLength(1);
      } finally {
        await second.stop();
      }
    } finally {
      await host.stop();
      await first.stop();
    }
  });
});
