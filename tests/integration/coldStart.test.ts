/**
 * What a cold start loads. The worker loads every function file before the first invocation, so a function file
 * that imports a heavy module at its top makes every function's cold start pay for it (shared/lazyHandler.ts).
 * A fresh process loads the compiled app as the worker does and answers one lead POST (tests/support/coldStart.ts),
 * with an Application Insights connection string set; the packages it holds at each point are checked against
 * package.json's dependencies, so a dependency added later is covered without touching this test.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { QueueServiceClient } from '@azure/storage-queue';

import type { RunningAzurite } from '../../local-host/src/azurite';
import type { ColdStart } from '../support/coldStart';
import { repoRoot, sampleSettings, startTestAzurite } from '../support/hostProcess';

/**
 * What registering needs: the Functions library, and shared/config (index.ts reports every settings problem at
 * load, and checks the storage connection string with both storage SDKs' own parsers; the schedule with croner).
 * core-rest-pipeline comes with the storage SDKs.
 */
const AT_LOAD = [
  '@azure/functions',
  '@azure/storage-queue',
  '@azure/data-tables',
  '@azure/core-rest-pipeline',
  'croner',
];
/** And what accepting a lead needs besides: the lead schema's validator and the envelope's id. */
const AT_FIRST_LEAD = [...AT_LOAD, 'ajv', 'ulid'];

function dependencies(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  return Object.keys(pkg.dependencies).sort();
}

function coldStart(env: NodeJS.ProcessEnv): Promise<ColdStart> {
  const script = path.join(repoRoot, 'build', 'tests', 'support', 'coldStart.js');
  if (!fs.existsSync(script) || !fs.existsSync(path.join(repoRoot, 'dist', 'index.js'))) {
    throw new Error('Build first: npm run build && npm run build:tools');
  }
  const body = path.join(repoRoot, 'samples', 'https-example.json');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, repoRoot, body], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as ColdStart);
      else reject(new Error(`The cold start failed (exit ${String(code)}):\n${err}`));
    });
  });
}

let azurite: RunningAzurite;
let result: ColdStart;

beforeAll(async () => {
  azurite = await startTestAzurite();
  await QueueServiceClient.fromConnectionString(azurite.connectionString)
    .getQueueClient('leads-incoming')
    .createIfNotExists();
  result = await coldStart({
    ...process.env,
    ...sampleSettings(),
    AzureWebJobsStorage: azurite.connectionString,
    // Set, as in Azure: nothing on the way to the first answer may load the SDK for it. Nothing listens there.
    APPLICATIONINSIGHTS_CONNECTION_STRING:
      'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:9/',
  });
}, 60_000);

afterAll(async () => {
  await azurite?.stop();
});

describe('a cold start', () => {
  test('answers the first lead', () => {
    expect(result.status).toBe(202);
  });

  test('loading every function file loads no dependency that registering does not need', () => {
    const loaded = dependencies().filter((d) => result.atLoad.packages.includes(d));
    expect(loaded.filter((d) => !AT_LOAD.includes(d))).toEqual([]);
  });

  test('no function file loads its handler before its first invocation', () => {
    expect(result.atLoad.appFiles.filter((f) => f.startsWith('dist/functions/handlers/'))).toEqual([]);
  });

  test('the first lead is answered without Application Insights, mail, identity or record dependencies', () => {
    const loaded = dependencies().filter((d) => result.atAnswer.packages.includes(d));
    expect(loaded.filter((d) => !AT_FIRST_LEAD.includes(d))).toEqual([]);
    expect(result.atAnswer.appFiles).toContain('dist/functions/handlers/ingestLead.js');
  });
});
