/**
 * Process: first the storage calls one lead costs, per case (a customer's first lead, a merge, a redelivery),
 * counted on the wire by the clients' call-count policy; then fill the queue with N leads (30 % repeat customers),
 * start the local host and time it draining them into the tables. In the same run, the ceiling for any
 * queue-triggered processing: the same host draining the same messages through a function that does nothing but
 * one upsertEntity (bench/fixtures/queue-floor-app). Targets: calls within docs/storage.md's budgets, and
 * processing ≥ 0.7× that ceiling. Raw upsertEntity at the host's concurrency is printed for scale, and so is a
 * third drain with ALERT_ON_NEW_LEAD off (what the alerts cost). Azurite's own tally of the requests it served
 * during each drain (bench/azuriteTally.ts) says where the store's time went.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { TableClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';

import { type RunningAzurite, startAzurite } from '../local-host/src/azurite';
import { readHostSettings } from '../local-host/src/hostSettings';
import { newUlid } from '../shared/ids';
import { createEnvelope, encodeEnvelope } from '../shared/queue/envelope';
import { createRecordStore } from '../shared/record/recordStore';
import { totalCalls } from '../shared/storage/callCount';
import { repoRoot, startHost } from '../tests/support/hostProcess';
import { CALL_BUDGETS, describeCalls, leadCallCounts } from '../tests/support/leadCalls';
import { testConfig } from '../tests/support/leadFixtures';
import type { TallyEntry } from './azuriteTally';
import { cpuMs, fmt, timedLoop, verdict } from './stats';

const N = Number(process.env.BENCH_PROCESS_LEADS ?? 1000);
const REPEAT_SHARE = 0.3;

function leadBody(customer: number, action: string): string {
  return JSON.stringify({
    UserDetails: {
      FirstName: 'Bench',
      LastName: `Customer${customer}`,
      Email: `customer${customer}@bench.example`,
      Phone: '',
      Country: 'US',
      Company: 'Bench',
      Title: '',
    },
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
    if (Date.now() > deadline)
      throw new Error(
        `Only ${(output().match(pattern) ?? []).length} of ${count} messages processed in ${timeoutMs} ms`,
      );
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The app's host.json queue settings as app-setting overrides, so the floor app runs with exactly the same. */
function queueSettingOverrides(): Record<string, string> {
  const host = JSON.parse(fs.readFileSync(path.join(repoRoot, 'host.json'), 'utf8')) as {
    extensions?: { queues?: Record<string, unknown> };
  };
  const overrides: Record<string, string> = {};
  for (const [key, value] of Object.entries(host.extensions?.queues ?? {}))
    overrides[`AzureFunctionsJobHost__extensions__queues__${key}`] = String(value);
  return overrides;
}

interface Drained {
  perSecond: number;
  seconds: number;
  failures: number;
  /** CPU per message, ms, of Azurite and of the local host, during the drain. */
  storeCpuMs?: number;
  hostCpuMs?: number;
}

/** Starts the local host on `app`, waits until `functionName` has succeeded `count` times, and gives messages/s. */
async function drain(
  env: Record<string, string>,
  functionName: string,
  count: number,
  storePid: number,
  app?: string,
): Promise<Drained> {
  const host = await startHost(env, app ? { app } : {});
  try {
    const [store, own] = [cpuMs(storePid), cpuMs(host.pid)];
    const started = performance.now();
    await waitForLines(host.output, new RegExp(`Executed '${functionName}' \\(Succeeded`, 'g'), count, 600_000);
    const seconds = (performance.now() - started) / 1000;
    const perMessage = (before: number | undefined, after: number | undefined): number | undefined =>
      before === undefined || after === undefined ? undefined : (after - before) / count;
    const storeCpuMs = perMessage(store, cpuMs(storePid));
    const hostCpuMs = perMessage(own, cpuMs(host.pid));
    const failures = (host.output().match(new RegExp(`Executed '${functionName}' \\(Failed`, 'g')) ?? []).length;
    return { perSecond: count / seconds, seconds, failures, storeCpuMs, hostCpuMs };
  } finally {
    await host.stop();
  }
}

/** What Azurite served since the last call (bench/azuriteTally.ts), by operation. */
async function storeTally(azurite: RunningAzurite, file: string): Promise<Map<string, TallyEntry>> {
  fs.rmSync(file, { force: true });
  process.kill(azurite.pid, 'SIGUSR2');
  const deadline = Date.now() + 10_000;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error('Azurite did not write its request tally');
    await new Promise((r) => setTimeout(r, 20));
  }
  return new Map(Object.entries(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, TallyEntry>));
}

/** Requests per message by operation, most frequent first, with Azurite's mean time to answer each. */
function printTally(title: string, tally: Map<string, TallyEntry>, messages: number): void {
  let requests = 0;
  let ms = 0;
  for (const e of tally.values()) {
    requests += e.count;
    ms += e.ms;
  }
  console.log(
    `  ${title}: ${fmt(requests / messages, 2)} requests and ${fmt(ms / messages, 1)} ms of answer time per message`,
  );
  const rows = [...tally].filter(([, e]) => e.count / messages >= 0.01).sort(([, a], [, b]) => b.count - a.count);
  for (const [op, e] of rows) {
    const statuses = Object.entries(e.statuses)
      .map(([status, n]) => `${status} ×${n}`)
      .join(', ');
    console.log(
      `    ${op.padEnd(40)} ${fmt(e.count / messages, 2).padStart(6)}  ${fmt(e.ms / e.count, 1).padStart(5)} ms  (${statuses})`,
    );
  }
}

const tallyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-process-')), 'azurite-requests.json');

/**
 * Each drain gets an Azurite of its own, its queue filled with the same messages. Azurite's queue cost grows with
 * the messages it holds, and once a minute it sweeps the extents of deleted messages, seconds of CPU that would land
 * on whichever drain was running: in one shared Azurite the last drains paid for the first ones' messages.
 */
async function drainOnFreshStore(
  messages: readonly string[],
  queueName: string,
  run: (store: RunningAzurite) => Promise<Drained>,
): Promise<Drained & { tally: Map<string, TallyEntry> }> {
  process.env.AZURITE_TALLY_FILE = tallyFile;
  const store = await startAzurite({ nodeArgs: ['--require', path.join(__dirname, 'azuriteTally.js')] });
  try {
    const queue = QueueServiceClient.fromConnectionString(store.connectionString).getQueueClient(queueName);
    await queue.createIfNotExists();
    await timedLoop(messages.length, 16, async (i) => void (await queue.sendMessage(messages[i]!)));
    await storeTally(store, tallyFile);
    const drained = await run(store);
    return { ...drained, tally: await storeTally(store, tallyFile) };
  } finally {
    await store.stop();
  }
}

export async function main(): Promise<void> {
  const azurite = await startAzurite();
  const queueSettings = readHostSettings(repoRoot).queues;
  const concurrency = queueSettings.batchSize + queueSettings.newBatchThreshold;
  try {
    const callStore = createRecordStore(testConfig(azurite.connectionString, { TABLE_NAME_PREFIX: 'Calls' }));
    await callStore.ensureTables();
    const calls = await leadCallCounts(callStore);
    console.log('storage calls per processed lead (queue receive and delete not counted):');
    for (const [name, budget] of Object.entries(CALL_BUDGETS)) {
      const got = calls[name as keyof typeof CALL_BUDGETS];
      console.log(`  ${name.padEnd(11)} ${describeCalls(got, budget)}: ${verdict(totalCalls(got) <= budget)}`);
    }

    const messages = benchLeads(N).map((body) =>
      encodeEnvelope(createEnvelope(newUlid(), new Date(), body, { queryKeys: [] })),
    );

    // Baseline first, on a table of its own.
    const raw = TableClient.fromConnectionString(azurite.connectionString, 'BenchRaw', {
      allowInsecureConnection: true,
    });
    await raw.createTable();
    await timedLoop(
      100,
      concurrency,
      async (i) => void (await raw.upsertEntity({ partitionKey: 'warm', rowKey: String(i), v: i })),
    );
    const rawResult = await timedLoop(
      N,
      concurrency,
      async (i) =>
        void (await raw.upsertEntity({
          partitionKey: String(i % 64),
          rowKey: newUlid(),
          email: `customer${i}@bench.example`,
          stage: 'interest',
          n: i,
        })),
    );

    const floor = await drainOnFreshStore(messages, 'floor-incoming', async (store) => {
      await TableClient.fromConnectionString(store.connectionString, 'BenchFloor', {
        allowInsecureConnection: true,
      }).createTable();
      return drain(
        { AzureWebJobsStorage: store.connectionString, ...queueSettingOverrides() },
        'floor',
        N,
        store.pid,
        path.join(repoRoot, 'bench', 'fixtures', 'queue-floor-app'),
      );
    });
    const app = await drainOnFreshStore(messages, 'leads-incoming', (store) =>
      drain({ AzureWebJobsStorage: store.connectionString }, 'processLead', N, store.pid),
    );
    // Processing alone: no alert to enqueue, look up or deliver.
    const quiet = await drainOnFreshStore(messages, 'leads-incoming', (store) =>
      drain({ AzureWebJobsStorage: store.connectionString, ALERT_ON_NEW_LEAD: 'false' }, 'processLead', N, store.pid),
    );

    const rawRate = rawResult.requestsPerSecond;
    console.log(
      `${N} leads (${Math.round(REPEAT_SHARE * 100)} % repeat customers), concurrency ${concurrency} (host.json batchSize + newBatchThreshold):`,
    );
    console.log(`  raw upsertEntity            ${fmt(rawRate, 0)} entities/s`);
    console.log(
      `  queue trigger, one upsert   ${fmt(floor.perSecond, 0)} messages/s (${fmt(floor.seconds, 2)} s)   ${fmt(floor.perSecond / rawRate, 2)}× raw: the ceiling for queue-triggered work`,
    );
    console.log(
      `  processLead drain           ${fmt(app.perSecond, 0)} leads/s (${fmt(app.seconds, 2)} s, ${app.failures} failed tries retried)`,
    );
    const ratio = app.perSecond / floor.perSecond;
    console.log(
      `  ratio                       ${fmt(ratio, 2)}× the queue-trigger ceiling (target ≥ 0.70: ${verdict(ratio >= 0.7)}); ${fmt(app.perSecond / rawRate, 2)}× raw`,
    );
    const quietRatio = quiet.perSecond / floor.perSecond;
    console.log(
      `  processLead, alerts off     ${fmt(quiet.perSecond, 0)} leads/s (${fmt(quiet.seconds, 2)} s, ${quiet.failures} failed tries retried): ${fmt(quietRatio, 2)}× the ceiling`,
    );
    if (floor.storeCpuMs !== undefined && app.storeCpuMs !== undefined && quiet.storeCpuMs !== undefined) {
      // Load on the machine moves the drains' wall time; CPU per message does not, and with Azurite the busiest
      // process its ratio is where the throughput ratio tends on a machine of its own.
      console.log('CPU per message (from /proc; not moved by other load on the machine):');
      for (const [name, d] of [
        ['queue trigger, one upsert', floor],
        ['processLead drain', app],
        ['processLead, alerts off', quiet],
      ] as const)
        console.log(
          `  ${name.padEnd(27)} Azurite ${fmt(d.storeCpuMs ?? 0, 2)} ms, host ${fmt(d.hostCpuMs ?? 0, 2)} ms`,
        );
      console.log(
        `  Azurite's CPU ratio         ${fmt(floor.storeCpuMs / app.storeCpuMs, 2)}× (alerts off ${fmt(floor.storeCpuMs / quiet.storeCpuMs, 2)}×): the ratio if the store alone set the pace`,
      );
    }
    console.log('what Azurite served during each drain (every process: poller, processLead, the functions it feeds):');
    printTally('queue trigger, one upsert', floor.tally, N);
    printTally('processLead drain', app.tally, N);
    printTally('processLead, alerts off', quiet.tally, N);
  } finally {
    await azurite.stop();
  }
}
