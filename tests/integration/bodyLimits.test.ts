/**
 * Bodies far over a handler's limit, sent concurrently to the two endpoints that read a body besides ingestion: the
 * "Mark as contacted" form (anonymous) and the status change. Each must get a 413 naming `body`, and the host must
 * not hold the bodies: its resident memory, read from /proc while the uploads run, grows by less than 50 MB for
 * eight 90 MB uploads at once. The uploads repeat one small buffer, so this process never holds them either.
 */
import fs from 'node:fs';
import http from 'node:http';

import type { RunningAzurite } from '../../local-host/src/azurite';
import { type HostProcess, startHost, startTestAzurite } from '../support/hostProcess';

jest.setTimeout(180_000);

const UPLOAD_BYTES = 90 * 1024 * 1024;
const CONCURRENT = 8;
const MAX_GROWTH_BYTES = 50 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'a');
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const WARM_UP_BYTES = 9 * 1024 * 1024;
const CONTACT = '/api/leads/01HZX3V6Q8W4M2K9T7R5N3B1CD/contact';
const LEAD = '/api/leads/01HZX3V6Q8W4M2K9T7R5N3B1CD';
const ENDPOINTS = [
  [CONTACT, 'POST', FORM],
  [LEAD, 'PATCH', JSON_TYPE],
] as const;

/** Resident set size of a process, from /proc (Linux). */
function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`No VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}

interface Answer {
  status: number;
  body: string;
}

/** Streams `bytes` of one repeated chunk, honouring backpressure, and resolves with the answer. */
function upload(url: string, method: string, contentType: string, bytes: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method, headers: { 'content-type': contentType, 'content-length': String(bytes) } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    let sent = 0;
    const write = (): void => {
      while (sent < bytes) {
        const chunk = bytes - sent >= CHUNK.length ? CHUNK : CHUNK.subarray(0, bytes - sent);
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', write);
          return;
        }
      }
      req.end();
    };
    write();
  });
}

/** Runs `work` while sampling the process's RSS; returns the highest growth over the RSS before it started. */
async function peakGrowth<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const before = rssBytes(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 20);
  try {
    const result = await work();
    peak = Math.max(peak, rssBytes(pid));
    return { result, growth: peak - before };
  } finally {
    clearInterval(sampler);
  }
}

describe('oversized bodies are refused without being held in memory', () => {
  let azurite: RunningAzurite;
  let host: HostProcess;

  beforeAll(async () => {
    azurite = await startTestAzurite();
    host = await startHost({ AzureWebJobsStorage: azurite.connectionString });
    // Warm-up at the same concurrency with bodies a tenth the size. Besides loading code, this reaches the plateau
    // of garbage the process carries anyway: chunks read off sockets are external memory, which V8 collects only
    // once some tens of MB have piled up. What the 90 MB bodies add on top is what a handler holding them costs.
    for (const [path, method, type] of ENDPOINTS)
      await Promise.all(
        Array.from({ length: CONCURRENT }, () => upload(`${host.baseUrl}${path}`, method, type, WARM_UP_BYTES)),
      );
  });
  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  test.each(ENDPOINTS)('%s (%s): 413 naming body, and RSS grows by under 50 MB', async (path, method, contentType) => {
    const { result, growth } = await peakGrowth(host.pid, () =>
      Promise.all(
        Array.from({ length: CONCURRENT }, () => upload(`${host.baseUrl}${path}`, method, contentType, UPLOAD_BYTES)),
      ),
    );
    expect(growth).toBeLessThan(MAX_GROWTH_BYTES);
    for (const answer of result) {
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toMatchObject({
        error: 'too_large',
        problems: [expect.objectContaining({ field: 'body', rule: 'maxBytes' })],
      });
    }
  });

  test('a body just over the limit is a 413 too, and one within it is read', async () => {
    expect((await upload(`${host.baseUrl}${CONTACT}`, 'POST', FORM, 16 * 1024 + 1)).status).toBe(413);
    expect((await upload(`${host.baseUrl}${LEAD}`, 'PATCH', JSON_TYPE, 64 * 1024 + 1)).status).toBe(413);
    // Within the limit the body is parsed: 10 bytes of "a" are not JSON.
    const small = await upload(`${host.baseUrl}${LEAD}`, 'PATCH', JSON_TYPE, 10);
    expect(small.status).toBe(400);
  });
});
