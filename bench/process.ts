/**
 * Process: fill the queue with N leads (30 % repeat customers), start the local host and time it draining them
 * into the tables; in the same run, time raw upsertEntity of N entities into the same Azurite at the same
 * concurrency (the host's batch size). Target: processing ≥ 0.4× raw upsert throughput.
 */
import { QueueServiceClient } from '@azure/storage-queue';
import { TableClient } from '@azure/data-tables';
import { startAzurite } from '../scripts/local-host/azurite';
import { readHostSettings } from '../scripts/local-host/hostSettings';
import { createEnvelope, encodeEnvelope } from '../shared/ingest/envelope';
import { newUlid } from '../shared/ids';
import { repoRoot, startHost } from '../tests/support/hostProcess';
import { fmt, timedLoop, verdict } from './stats';

const N = Number(process.env.BENCH_PROCESS_LEADS ?? 1000);
const REPEAT_SHARE = 0.3;

function leadBody(customer: number, action: string): string {
  return JSON.stringify({
    UserDetails: { FirstName: 'Bench', LastName: `Customer${customer}`, Email: `customer${customer}@bench.example`, Phone: '', Country: 'US', Company: 'Bench', Title: '' },
    LeadSource: `AzureMarketplace-${action}|bench.offer`,
    OfferTitle: 'Bench offer',
    Description: '',
  });
}

/** N leads; 30 % of them repeat a customer seen earlier in the stream (a later funnel step). */
export function benchLeads(n: number): string[] {
  const bodies: string[] = [];
  let customers = 0;
  for (let i = 0; i < n; i++) {
    const repeat = customers > 0 && i % 10 < REPEAT_SHARE * 10;
    const customer = repeat ? (i * 7919) % customers : customers++;
    bodies.push(leadBody(customer, repeat ? 'INS' : 'PLT'));
  }
  return bodies;
}

async function waitForLines(output: () => string, pattern: RegExp, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((output().match(pattern) ?? []).length < count) {
    if (Date.now() > deadline) throw new Error(`Only ${(output().match(pattern) ?? []).length} of ${count} leads processed in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function main(): Promise<void> {
  const azurite = await startAzurite();
  const batchSize = readHostSettings(repoRoot).queues.batchSize;
  try {
    const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient('leads-incoming');
    await queue.createIfNotExists();
    const bodies = benchLeads(N);
    await timedLoop(bodies.length, 16, async (i) => void (await queue.sendMessage(encodeEnvelope(createEnvelope(newUlid(), new Date(), bodies[i]!, { queryKeys: [] })))));

    // Baseline first, on tables of its own in the same Azurite.
    const raw = TableClient.fromConnectionString(azurite.connectionString, 'BenchRaw', { allowInsecureConnection: true });
    await raw.createTable();
    await timedLoop(100, batchSize, async (i) => void (await raw.upsertEntity({ partitionKey: 'warm', rowKey: String(i), v: i })));
    const rawResult = await timedLoop(N, batchSize, async (i) =>
      void (await raw.upsertEntity({ partitionKey: String(i % 64), rowKey: newUlid(), email: `customer${i}@bench.example`, stage: 'interest', n: i })),
    );

    const host = await startHost({ AzureWebJobsStorage: azurite.connectionString });
    try {
      const started = performance.now();
      await waitForLines(host.output, /Executed 'processLead' \(Succeeded/g, N, 600_000);
      const seconds = (performance.now() - started) / 1000;
      const failures = (host.output().match(/Executed 'processLead' \(Failed/g) ?? []).length;
      const leadsPerSecond = N / seconds;
      const ratio = leadsPerSecond / rawResult.requestsPerSecond;
      console.log(`${N} leads (${Math.round(REPEAT_SHARE * 100)} % repeat customers), concurrency ${batchSize} (host.json batchSize):`);
      console.log(`  raw upsertEntity   ${fmt(rawResult.requestsPerSecond, 0)} entities/s`);
      console.log(`  processLead drain  ${fmt(leadsPerSecond, 0)} leads/s (${fmt(seconds, 2)} s, ${failures} failed tries retried)`);
      console.log(`  ratio              ${fmt(ratio, 2)}× (target ≥ 0.40: ${verdict(ratio >= 0.4)})`);
    } finally {
      await host.stop();
    }
  } finally {
    await azurite.stop();
  }
}
