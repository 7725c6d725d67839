/**
 * Cold start: a fresh Node process loads every file of the app as the worker does and answers its first lead POST
 * (tests/support/coldStart.ts), against the same for a minimal app whose one HTTP function enqueues the raw body with
 * @azure/storage-queue (bench/fixtures/ingest-floor-app). Both get the same settings, Azurite and the same
 * APPLICATIONINSIGHTS_CONNECTION_STRING, pointing at a loopback HTTPS endpoint that counts what reaches it. Five
 * runs each, alternating, after one unmeasured pair (file-system cache); medians. Target: ≤ 1.5× the minimal app.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { QueueServiceClient } from '@azure/storage-queue';

import { startAzurite } from '../local-host/src/azurite';
import type { ColdStart } from '../tests/support/coldStart';
import { repoRoot, sampleSettings } from '../tests/support/hostProcess';
import { selfSignedCertificate } from '../tests/support/tls';
import { fmt, median, verdict } from './stats';

const RUNS = 5;

function runChild(appRoot: string, env: NodeJS.ProcessEnv): Promise<ColdStart> {
  const child = path.join(repoRoot, 'build', 'tests', 'support', 'coldStart.js');
  const body = path.join(repoRoot, 'samples', 'https-example.json');
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, appRoot, body], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    proc.once('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) return reject(new Error(`cold start of ${appRoot} failed:\n${err}`));
      const result = JSON.parse(line) as ColdStart;
      if (result.status !== 202)
        return reject(new Error(`cold start of ${appRoot} answered ${result.status}:\n${err}`));
      resolve(result);
    });
  });
}

function summary(name: string, runs: ColdStart[]): string {
  const m = (pick: (r: ColdStart) => number): string => {
    const values = runs.map(pick);
    return `${fmt(median(values), 0)} ms (${fmt(Math.min(...values), 0)}–${fmt(Math.max(...values), 0)})`;
  };
  return `  ${name.padEnd(24)} answered ${m((r) => r.answeredMs)}  loaded ${m((r) => r.loadedMs)}  CPU ${m((r) => r.cpuMs)}`;
}

export async function main(): Promise<void> {
  const azurite = await startAzurite();
  const tls = selfSignedCertificate();
  let telemetryRequests = 0;
  const ingestion = createServer(tls, (req, res) => {
    telemetryRequests++;
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => ingestion.listen(0, '127.0.0.1', resolve));
  const port = (ingestion.address() as AddressInfo).port;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...sampleSettings(),
    AzureWebJobsStorage: azurite.connectionString,
    APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:${port}/`,
  };
  const app = repoRoot;
  const floor = path.join(repoRoot, 'bench', 'fixtures', 'ingest-floor-app');
  try {
    const service = QueueServiceClient.fromConnectionString(azurite.connectionString);
    // The queues exist, as they do in Azure after the first lead: creating one is not what a cold start costs.
    await Promise.all(['leads-incoming', 'floor-incoming'].map((q) => service.getQueueClient(q).createIfNotExists()));
    await runChild(floor, env);
    await runChild(app, env);
    const floorRuns: ColdStart[] = [];
    const appRuns: ColdStart[] = [];
    for (let i = 0; i < RUNS; i++) {
      floorRuns.push(await runChild(floor, env));
      appRuns.push(await runChild(app, env));
    }
    const ratio = median(appRuns.map((r) => r.answeredMs)) / median(floorRuns.map((r) => r.answeredMs));
    const cpuRatio = median(appRuns.map((r) => r.cpuMs)) / median(floorRuns.map((r) => r.cpuMs));
    console.log(`${RUNS} fresh processes each, alternating; medians (min–max), from process start:`);
    console.log(summary('minimal enqueue app', floorRuns));
    console.log(summary('this app, ingestLead', appRuns));
    console.log(`  first answer ratio  ${fmt(ratio, 2)}× minimal app (target ≤ 1.50: ${verdict(ratio <= 1.5)})`);
    console.log(`  CPU ratio           ${fmt(cpuRatio, 2)}× minimal app`);
    console.log(`  telemetry endpoint  ${telemetryRequests} request(s) during the cold starts`);
  } finally {
    ingestion.close();
    await azurite.stop();
  }
}
