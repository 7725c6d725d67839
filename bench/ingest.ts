/**
 * Ingest: POST /api/leads through the local host (autocannon, loopback, bounded) versus a baseline that isolates
 * our code: the same local host running a minimal HTTP function that enqueues the raw body
 * (bench/fixtures/ingest-floor-app). Target: ingestLead ≥ 0.8× that baseline's throughput, p99 ≤ 1.5×. Also
 * printed: the same minimal function with HTTP streaming on (bench/fixtures/ingest-floor-stream-app), as this app
 * has it, so the gap splits into what streaming itself costs and what our code does; and raw sendMessage to the same
 * Azurite at the same concurrency through one client (its connections kept alive, as the functions' clients keep
 * theirs): the gap to it is the host's cost. On a machine shared with other work the rates and latencies move with
 * that work; each host's CPU per request (from /proc) hardly does, so it is printed too, with the ratio it implies.
 */
import fs from 'node:fs';
import path from 'node:path';

import { QueueServiceClient } from '@azure/storage-queue';
import autocannon from 'autocannon';

import { startAzurite } from '../local-host/src/azurite';
import { newUlid } from '../shared/ids';
import { createEnvelope, encodeEnvelope } from '../shared/queue/envelope';
import { type HostProcess, repoRoot, startHost } from '../tests/support/hostProcess';
import { cpuMs, fmt, type LoadResult, median, timedLoop, verdict } from './stats';

const CONNECTIONS = 16;
const REQUESTS = 2000;
const ROUNDS = 5;

function lead(): string {
  return fs.readFileSync(path.join(repoRoot, 'samples', 'https-example.json'), 'utf8');
}

/**
 * Throughput is timed here from the start to the last response: autocannon's own `duration` is taken at the first
 * of its one-second ticks after the last response, so a 2.1 s round counted as 3 s and the ratio between two lines
 * moved by up to a third with where each round ended between ticks.
 */
async function ingestRound(url: string, body: string, pid: number): Promise<LoadResult & { cpuMs?: number }> {
  const cpuBefore = cpuMs(pid);
  let started = 0;
  let lastResponse = 0;
  let responses = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
        connections: CONNECTIONS,
        amount: REQUESTS,
      },
      (e: unknown, done) => (e ? reject(e instanceof Error ? e : new Error('autocannon failed')) : resolve(done)),
    );
    started = performance.now();
    instance.on('response', () => {
      responses++;
      lastResponse = performance.now();
    });
  });
  const errors = result.errors + result.non2xx + (REQUESTS - responses);
  const cpuAfter = cpuMs(pid);
  return {
    requestsPerSecond: responses / ((lastResponse - started) / 1000 || 1),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors,
    cpuMs: cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / REQUESTS,
  };
}

export async function main(): Promise<void> {
  const azurite = await startAzurite();
  // Processing is off: this measures accepting leads, not storing records.
  const host = await startHost({
    AzureWebJobsStorage: azurite.connectionString,
    'AzureWebJobs.processLead.Disabled': 'true',
  });
  const floorApp = (name: string): Promise<HostProcess> =>
    startHost(
      { AzureWebJobsStorage: azurite.connectionString },
      { app: path.join(repoRoot, 'bench', 'fixtures', name) },
    );
  const floorHost = await floorApp('ingest-floor-app');
  const streamFloorHost = await floorApp('ingest-floor-stream-app');
  const service = QueueServiceClient.fromConnectionString(azurite.connectionString);
  // One client for every raw send, as each function keeps one.
  const queue = service.getQueueClient('leads-incoming');
  const body = lead();
  const rawMessage = encodeEnvelope(createEnvelope(newUlid(), new Date(), body, { queryKeys: [] }));
  try {
    await Promise.all([queue.createIfNotExists(), service.getQueueClient('floor-incoming').createIfNotExists()]);
    // Warm every path (JIT, keep-alive sockets, Azurite's queue) before measuring.
    await timedLoop(200, CONNECTIONS, async () => void (await queue.sendMessage(rawMessage)));
    await ingestRound(`${floorHost.baseUrl}/api/leads`, body, floorHost.pid);
    await ingestRound(`${streamFloorHost.baseUrl}/api/leads`, body, streamFloorHost.pid);
    await ingestRound(`${host.baseUrl}/api/leads`, body, host.pid);

    type Round = LoadResult & { cpuMs?: number };
    const raw: Round[] = [];
    const floor: Round[] = [];
    const streamFloor: Round[] = [];
    const ingest: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      raw.push(await timedLoop(REQUESTS, CONNECTIONS, async () => void (await queue.sendMessage(rawMessage))));
      floor.push(await ingestRound(`${floorHost.baseUrl}/api/leads`, body, floorHost.pid));
      streamFloor.push(await ingestRound(`${streamFloorHost.baseUrl}/api/leads`, body, streamFloorHost.pid));
      ingest.push(await ingestRound(`${host.baseUrl}/api/leads`, body, host.pid));
    }
    const medians = (results: Round[]): { rps: number; p50: number; p99: number; cpu?: number } => {
      const cpu = results.map((x) => x.cpuMs);
      return {
        rps: median(results.map((x) => x.requestsPerSecond)),
        p50: median(results.map((x) => x.p50Ms)),
        p99: median(results.map((x) => x.p99Ms)),
        cpu: cpu.every((x) => x !== undefined) ? median(cpu) : undefined,
      };
    };
    const [r, f, sf, i] = [medians(raw), medians(floor), medians(streamFloor), medians(ingest)];
    const errors = [...raw, ...floor, ...streamFloor, ...ingest].reduce((n, x) => n + x.errors, 0);
    const line = (name: string, m: typeof r): string =>
      `  ${name.padEnd(45)} ${fmt(m.rps, 0)} req/s  p50 ${fmt(m.p50)} ms  p99 ${fmt(m.p99)} ms` +
      (m.cpu === undefined ? '' : `  host CPU ${fmt(m.cpu, 2)} ms/req`);
    console.log(`${ROUNDS} alternating rounds of ${REQUESTS} requests, ${CONNECTIONS} concurrent; medians:`);
    console.log(line('raw sendMessage', r));
    console.log(line('host, minimal enqueue function', f));
    console.log(line('host, minimal enqueue function, streaming on', sf));
    console.log(line('host, ingestLead', i));
    console.log(
      `  throughput ratio  ${fmt(i.rps / f.rps, 2)}× baseline (target ≥ 0.80: ${verdict(i.rps / f.rps >= 0.8)})`,
    );
    console.log(
      `  p99 ratio         ${fmt(i.p99 / f.p99, 2)}× baseline (target ≤ 1.50: ${verdict(i.p99 / f.p99 <= 1.5)})`,
    );
    console.log(
      `  the host's cost   minimal function ${fmt(f.rps / r.rps, 2)}× raw sendMessage throughput, ${fmt(f.p99 / r.p99, 2)}× its p99; ingestLead ${fmt(i.rps / r.rps, 2)}× raw`,
    );
    console.log(
      `  streaming's cost  minimal function with streaming ${fmt(sf.rps / f.rps, 2)}× baseline throughput, ${fmt(sf.p99 / f.p99, 2)}× its p99; ingestLead ${fmt(i.rps / sf.rps, 2)}× it, ${fmt(i.p99 / sf.p99, 2)}× its p99 (our code alone)`,
    );
    if (f.cpu !== undefined && sf.cpu !== undefined && i.cpu !== undefined) {
      console.log(
        `  host CPU ratio    minimal function ${fmt(f.cpu / i.cpu, 2)}× ingestLead's CPU per request (the throughput ratio if the host's CPU alone set the pace; not moved by other load); streaming alone ${fmt(f.cpu / sf.cpu, 2)}×; minimal function with streaming ${fmt(sf.cpu / i.cpu, 2)}× ingestLead's (our code alone)`,
      );
    }
    if (errors > 0) console.log(`  errors: ${errors} (a run with errors is not a valid measurement)`);
  } finally {
    await Promise.all([host.stop(), floorHost.stop(), streamFloorHost.stop()]);
    await azurite.stop();
  }
}
