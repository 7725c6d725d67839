/**
 * Storage that stops answering (Azurite frozen with SIGSTOP, as a network black hole does): callers get an answer
 * within their deadline, and everything works again once storage answers. Azurite is always resumed, even when an
 * assertion fails, so a failure here never leaves a frozen process behind.
 */
import fs from 'node:fs';
import path from 'node:path';

import type { RunningAzurite } from '../../local-host/src/azurite';
import { createRecordStore } from '../../shared/record/recordStore';
import { eventually, type HostProcess, repoRoot, startHost, startTestAzurite } from '../support/hostProcess';
import { allLeads, testConfig } from '../support/leadFixtures';

const BOUND_MS = 5000;
const sample = (name: string): string => fs.readFileSync(path.join(repoRoot, 'samples', `${name}.json`), 'utf8');

let azurite: RunningAzurite;
let host: HostProcess;

beforeAll(async () => {
  azurite = await startTestAzurite();
  host = await startHost({ AzureWebJobsStorage: azurite.connectionString });
});

afterAll(async () => {
  await host?.stop();
  await azurite?.stop();
});

/** Times one request; the test's own timeout keeps a hanging answer from holding the suite. */
async function timed(url: string, init: RequestInit = {}): Promise<{ res: Response; ms: number; body: unknown }> {
  const started = Date.now();
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
  const body = await res.json();
  return { res, ms: Date.now() - started, body };
}

test('frozen storage: ingest answers 503 + Retry-After and health reports the timeout, both within 5 s; then all recovers', async () => {
  // Warm up: the queue exists and the host has served a lead, so what follows measures the frozen calls only.
  const first = await timed(`${host.baseUrl}/api/leads`, { method: 'POST', body: sample('journey-1-contact-me') });
  expect(first.res.status).toBe(202);

  process.kill(azurite.pid, 'SIGSTOP');
  try {
    const [ingest, health] = await Promise.all([
      timed(`${host.baseUrl}/api/leads`, { method: 'POST', body: sample('journey-2-test-drive') }),
      timed(`${host.baseUrl}/api/health`),
    ]);
    expect(ingest.res.status).toBe(503);
    expect(ingest.res.headers.get('retry-after')).toBe('30');
    expect(ingest.body).toMatchObject({ error: 'storage_unavailable' });
    expect(ingest.ms).toBeLessThan(BOUND_MS);

    expect(health.res.status).toBe(503);
    expect(health.body).toMatchObject({
      ok: false,
      checks: expect.arrayContaining([
        { name: 'queue', ok: false, error: expect.stringMatching(/^timeout after \d+ ms$/) },
        { name: 'table', ok: false, error: expect.stringMatching(/^timeout after \d+ ms$/) },
      ]),
    });
    expect(health.ms).toBeLessThan(BOUND_MS);
  } finally {
    process.kill(azurite.pid, 'SIGCONT');
  }

  // Storage answers again: health is green, a new lead is accepted, and both accepted leads reach the record. (The
  // 503'd request may have reached the frozen queue before the deadline cut it: docs/storage.md, "Failures".)
  expect((await timed(`${host.baseUrl}/api/health`)).res.status).toBe(200);
  const after = await timed(`${host.baseUrl}/api/leads`, { method: 'POST', body: sample('journey-3-get-it-now') });
  expect(after.res.status).toBe(202);
  const accepted = [first.body, after.body].map((b) => (b as { id: string }).id);
  const config = testConfig(azurite.connectionString);
  const store = createRecordStore(config);
  await eventually('both accepted leads in the record', async () => {
    const record = (await allLeads(config)).find((r) => r.offerKey === 'fabrikamsoft.ledger-cloud');
    const ids = record ? (await store.listEvents(record.leadId)).map((e) => e.eventId) : [];
    return accepted.every((id) => ids.includes(id)) ? true : undefined;
  });
});
