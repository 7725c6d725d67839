/**
 * Ingest: POST /api/leads through the local host (autocannon, loopback, bounded) versus raw sendMessage to the
 * same Azurite at the same concurrency. Target: ingest ≥ 0.7× raw throughput, p99 ≤ 3× raw.
 */
import fs from 'node:fs';
import path from 'node:path';

import { QueueServiceClient } from '@azure/storage-queue';
import autocannon from 'autocannon';

import { startAzurite } from '../local-host/src/azurite';
import { newUlid } from '../shared/ids';
import { createEnvelope, encodeEnvelope } from '../shared/queue/envelope';
import { repoRoot, startHost } from '../tests/support/hostProcess';
import { fmt, type LoadResult, median, timedLoop, verdict } from './stats';

const CONNECTIONS = 16;
const REQUESTS = 2000;
const ROUNDS = 3;

function lead(): string {
  return fs.readFileSync(path.join(repoRoot, 'samples', 'https-example.json'), 'utf8');
}

async function ingestRound(url: string, body: string): Promise<LoadResult> {
  const result = await autocannon({
    url,
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
    connections: CONNECTIONS,
    amount: REQUESTS,
  });
  const errors = result.errors + result.non2xx;
  return {
    requestsPerSecond: REQUESTS / (result.duration || 1),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors,
  };
}

export async function main(): Promise<void> {
  const azurite = await startAzurite();
  // Processing is off: this measures accepting leads, not storing records.
  const host = await startHost({
    AzureWebJobsStorage: azurite.connectionString,
    'AzureWebJobs.processLead.Disabled': 'true',
  });
  const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient('leads-incoming');
  const body = lead();
  const rawMessage = encodeEnvelope(createEnvelope(newUlid(), new Date(), body, { queryKeys: [] }));
  try {
    await queue.createIfNotExists();
    // Warm both paths (JIT, keep-alive sockets, Azurite's queue) before measuring.
    await timedLoop(200, CONNECTIONS, async () => void (await queue.sendMessage(rawMessage)));
    await ingestRound(`${host.baseUrl}/api/leads`, body);

    const raw: LoadResult[] = [];
    const ingest: LoadResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      raw.push(await timedLoop(REQUESTS, CONNECTIONS, async () => void (await queue.sendMessage(rawMessage))));
      ingest.push(await ingestRound(`${host.baseUrl}/api/leads`, body));
    }
    const r = {
      rps: median(raw.map((x) => x.requestsPerSecond)),
      p50: median(raw.map((x) => x.p50Ms)),
      p99: median(raw.map((x) => x.p99Ms)),
    };
    const i = {
      rps: median(ingest.map((x) => x.requestsPerSecond)),
      p50: median(ingest.map((x) => x.p50Ms)),
      p99: median(ingest.map((x) => x.p99Ms)),
    };
    const errors = ingest.reduce((n, x) => n + x.errors, 0) + raw.reduce((n, x) => n + x.errors, 0);
    console.log(`${ROUNDS} alternating rounds of ${REQUESTS} requests, ${CONNECTIONS} concurrent; medians:`);
    console.log(`  raw sendMessage   ${fmt(r.rps, 0)} req/s  p50 ${fmt(r.p50)} ms  p99 ${fmt(r.p99)} ms`);
    console.log(`  POST /api/leads   ${fmt(i.rps, 0)} req/s  p50 ${fmt(i.p50)} ms  p99 ${fmt(i.p99)} ms`);
    console.log(`  throughput ratio  ${fmt(i.rps / r.rps, 2)}× (target ≥ 0.70: ${verdict(i.rps / r.rps >= 0.7)})`);
    console.log(`  p99 ratio         ${fmt(i.p99 / r.p99, 2)}× (target ≤ 3.00: ${verdict(i.p99 / r.p99 <= 3)})`);
    if (errors > 0) console.log(`  errors: ${errors} (a run with errors is not a valid measurement)`);
  } finally {
    await host.stop();
    await azurite.stop();
  }
}
