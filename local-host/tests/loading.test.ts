/**
 * Loading an app as the Node worker and the Functions host do: one entry point that throws stops the whole app;
 * one binding the host refuses disables that function only. And the checks the local host makes of itself at start.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { type HostProcess, repoRoot, startHost } from '../../tests/support/hostProcess';
import { developmentConnectionString } from '../src/azurite';
import { queueTriggerName, resolveBindingExpression, timerSchedule } from '../src/indexing';
import { TESTED_FUNCTIONS_LIBRARY_VERSIONS } from '../src/supportedVersions';

const fixture = (name: string): string => path.join(repoRoot, 'local-host', 'fixtures', name);
// These apps have no storage trigger that could run: a connection string nobody listens on keeps Azurite unstarted.
const NO_STORAGE = { AzureWebJobsStorage: developmentConnectionString({ blob: 1, queue: 2, table: 3 }) };

describe('an entry point that throws at load', () => {
  let host: HostProcess;
  beforeAll(async () => {
    host = await startHost(NO_STORAGE, { app: fixture('throwing-app') });
  });
  afterAll(() => host?.stop());

  test('ends the loading there with the worker message naming the file', () => {
    expect(host.output()).toContain(
      'Worker was unable to load entry point "functions/2-throws.js": MAIL_FROM is missing',
    );
    expect(host.output()).not.toContain('3-never.js was loaded');
  });

  test('leaves the app with no function at all, not even one registered before it, as on Node 20 in Azure', async () => {
    expect(host.output()).toContain('No job functions found.');
    for (const route of ['first', 'second', 'third'])
      expect((await fetch(`${host.baseUrl}/api/${route}`)).status).toBe(404);
  });
});

describe('bindings the Functions host refuses', () => {
  let host: HostProcess;
  let bin: string;
  beforeAll(async () => {
    // A stand-in `func` on PATH: the host only looks for it, never runs it.
    bin = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-core-tools-'));
    fs.writeFileSync(path.join(bin, 'func'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    host = await startHost(
      {
        ...NO_STORAGE,
        PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
        // An identity-based connection whose queue service is plain HTTP: tokens never go over it.
        FIXTURE_IDENTITY__queueServiceUri: 'http://127.0.0.1:9/devstoreaccount1',
        FIXTURE_IDENTITY__tableServiceUri: 'https://127.0.0.1:9/devstoreaccount1',
        FIXTURE_IDENTITY__credential: 'managedidentity',
      },
      { app: fixture('bindings-app') },
    );
  });
  afterAll(async () => {
    await host?.stop();
    fs.rmSync(bin, { recursive: true, force: true });
  });

  test.each([
    ['unresolved', "'%FIXTURE_UNSET_QUEUE%' does not resolve to a value."],
    ['badQueueName', 'Invalid queue name. Check MSDN for more information about valid queue naming.'],
    ['noConnection', "Storage account connection string 'FIXTURE_UNSET_CONNECTION' does not exist."],
    [
      'tokenOverHttp',
      'Storage connection \'FIXTURE_IDENTITY\' is not usable: FIXTURE_IDENTITY__queueServiceUri is "http://127.0.0.1:9/devstoreaccount1": expected an https URL',
    ],
    ['badSchedule', "The schedule expression 'every night' was not recognized as a valid cron expression"],
  ])('%s is disabled with the host message, the others run', async (name, message) => {
    expect(host.output()).toContain(`Function 'Functions.${name}' failed indexing and will be disabled.`);
    expect(host.output()).toContain(`The '${name}' function is in error: `);
    expect(host.output()).toContain(message);
    const run = await fetch(`${host.baseUrl}/admin/functions/${name}`, { method: 'POST', body: '{}' });
    expect(run.status).toBe(404);
    expect(await (await fetch(`${host.baseUrl}/api/alive`)).text()).toBe('alive');
  });

  test('installed Core Tools are pointed out, with how to use them', () => {
    expect(host.output()).toContain(`Azure Functions Core Tools found (${path.join(bin, 'func')})`);
    expect(host.output()).toContain('npm run build && func start');
  });
});

describe('binding values, checked as the host checks them', () => {
  test('a queue name is lower-cased first, then must be a storage queue name', () => {
    expect(queueTriggerName({ type: 'queueTrigger', direction: 'in', queueName: 'Leads-Incoming' }, {})).toEqual({
      ok: true,
      value: 'leads-incoming',
    });
    for (const name of ['ab', 'a--b', '-ab', 'ab-', 'a_b', 'x'.repeat(64)])
      expect(queueTriggerName({ type: 'queueTrigger', direction: 'in', queueName: name }, {}).ok).toBe(false);
  });

  test('%SETTING% resolves from the settings, an unset or empty one is named', () => {
    expect(resolveBindingExpression('%A%-%B%', { A: 'x', B: 'y' })).toEqual({ ok: true, value: 'x-y' });
    expect(resolveBindingExpression('%A%', { A: '' })).toEqual({
      ok: false,
      error: "'%A%' does not resolve to a value.",
    });
  });

  test('a schedule has six fields', () => {
    expect(timerSchedule({ type: 'timerTrigger', direction: 'in', schedule: '0 */15 * * * *' }, {}).ok).toBe(true);
    expect(timerSchedule({ type: 'timerTrigger', direction: 'in', schedule: '*/15 * * * *' }, {}).ok).toBe(false);
  });
});

describe('the installed @azure/functions', () => {
  test('is one the local host was tested with', () => {
    const installed = JSON.parse(
      fs.readFileSync(path.join(repoRoot, 'node_modules', '@azure', 'functions', 'package.json'), 'utf8'),
    ) as { version: string };
    expect(TESTED_FUNCTIONS_LIBRARY_VERSIONS).toContain(installed.version);
  });

  test('of another version, the host refuses to start, naming both versions and what to do', async () => {
    const app = fs.mkdtempSync(path.join(os.tmpdir(), 'untested-library-app-'));
    try {
      fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ main: 'index.js' }));
      fs.writeFileSync(path.join(app, 'host.json'), '{"version": "2.0"}');
      const library = path.join(app, 'node_modules', '@azure', 'functions');
      fs.mkdirSync(library, { recursive: true });
      fs.writeFileSync(
        path.join(library, 'package.json'),
        JSON.stringify({ name: '@azure/functions', version: '4.99.0' }),
      );
      const failure = await startHost(NO_STORAGE, { app }).then(
        (h) => h.stop().then(() => 'started'),
        (e: unknown) => (e as Error).message,
      );
      expect(failure).toContain('exited before it was ready');
      expect(failure).toContain('does not start with @azure/functions 4.99.0');
      expect(failure).toContain(`tested with ${TESTED_FUNCTIONS_LIBRARY_VERSIONS.join(', ')}`);
      expect(failure).toContain('npm ci');
      expect(failure).toContain('local-host/src/supportedVersions.ts');
    } finally {
      fs.rmSync(app, { recursive: true, force: true });
    }
  });
});
