/**
 * One set of settings, four places: what shared/config.ts reads, what local.settings.sample.json holds, what the
 * Bicep sets on the function app (infra/app/function.bicep, `var appSettings`) and what the README's settings
 * table documents. The settings the code reads are found by reading them: every configuration path runs against
 * an environment that records each name asked for. The few differences between the places are listed here, each
 * with its reason; anything else is a setting someone added to one place and forgot in another.
 */
import fs from 'node:fs';
import path from 'node:path';

import { queueBindingName, readSettings, reminderBindingSchedule } from '../../shared/config';
import { readQueueTries } from '../../shared/config/storage';
import { timeSpanMs } from '../../shared/config/timeSpan';
import { blockAt, declarations, scan, topLevelKeys } from '../support/bicep';

const root = path.resolve(__dirname, '..', '..');
const read = (file: string): string => fs.readFileSync(path.join(root, file), 'utf8');

const sample = (JSON.parse(read('local.settings.sample.json')) as { Values: Record<string, string> }).Values;
const CLIENT_ID = '0b6f1e2a-8c1d-4a53-9f0e-6b2c1d3e4f50';
const IDENTITY_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id';
const identityStorage = {
  AzureWebJobsStorage: '',
  AzureWebJobsStorage__accountName: 'stleads',
  AzureWebJobsStorage__queueServiceUri: 'https://stleads.queue.core.windows.net',
  AzureWebJobsStorage__tableServiceUri: 'https://stleads.table.core.windows.net',
  AzureWebJobsStorage__blobServiceUri: 'https://stleads.blob.core.windows.net',
  AzureWebJobsStorage__credential: 'managedidentity',
};

/** Environments that between them take every path through the settings code. */
const variants: Record<string, string>[] = [
  sample,
  { ...sample, MAIL_TRANSPORT: 'smtp', SMTP_HOST: 'mx', SMTP_USER: 'u', SMTP_PASSWORD: 'p' },
  { ...sample, ...identityStorage, AzureWebJobsStorage__clientId: CLIENT_ID, MAIL_TRANSPORT: 'graph' },
  { ...sample, ...identityStorage, AzureWebJobsStorage__managedIdentityResourceId: IDENTITY_ID, MAIL_TRANSPORT: 'acs' },
  { ...sample, APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD' },
  {
    ...sample,
    TEAMS_WEBHOOK_URL: 'https://prod-00.westeurope.logic.azure.com/workflows/0/triggers/manual/paths/invoke',
  },
];

/** Read by the code only to be refused, naming them (docs/deploy.md, Storage without keys). */
const REFUSED = [
  'AzureWebJobsStorage__clientSecret',
  'AzureWebJobsStorage__certificate',
  'AzureWebJobsStorage__tenantId',
];
/** Set by the platform, not by anyone deploying. */
const PLATFORM = ['WEBSITE_HOSTNAME'];
/** host.json's values unless overridden; set them only to change host.json, so neither the sample nor the Bicep has them. */
const HOST_OVERRIDES = [
  'AzureFunctionsJobHost__extensions__queues__maxDequeueCount',
  'AzureFunctionsJobHost__extensions__queues__visibilityTimeout',
];

function settingsTheCodeReads(): string[] {
  const names = new Set<string>();
  for (const env of variants) {
    const recording = new Proxy(env, {
      get(target, name) {
        if (typeof name === 'string') names.add(name);
        return target[name as string];
      },
    });
    readSettings(recording);
    queueBindingName(recording);
    reminderBindingSchedule(recording);
  }
  return [...names].filter((n) => !REFUSED.includes(n) && !PLATFORM.includes(n)).sort();
}

function readmeTable(): string[] {
  const readme = read('README.md');
  const table = readme.slice(readme.indexOf('| setting |'));
  return [...table.slice(0, table.indexOf('\n\n')).matchAll(/^\| ([^|]+)\|/gm)]
    .flatMap((m) => [...(m[1] ?? '').matchAll(/`([A-Za-z][A-Za-z0-9_]*)`/g)].map((n) => n[1] ?? ''))
    .filter((name) => name !== 'setting')
    .sort();
}

function bicepAppSettings(): string[] {
  const scanned = scan(read('infra/app/function.bicep'));
  const appSettings = declarations(scanned).find((d) => d.kind === 'var' && d.name === 'appSettings');
  if (appSettings === undefined) throw new Error('function.bicep has no var appSettings');
  return topLevelKeys(blockAt(scanned, appSettings.at).code).sort();
}

const without = (names: string[], ...gone: string[]): string[] => names.filter((n) => !gone.includes(n));

describe('the settings contract', () => {
  const code = settingsTheCodeReads();

  test('the code reads the settings it is known to, storage both ways included', () => {
    expect(code.length).toBeGreaterThan(25);
    expect(code).toEqual(
      expect.arrayContaining([
        'AzureWebJobsStorage',
        'AzureWebJobsStorage__accountName',
        'AzureWebJobsStorage__queueServiceUri',
        'AzureWebJobsStorage__clientId',
        'AzureWebJobsStorage__managedIdentityResourceId',
        'MAIL_GRAPH_ENDPOINT',
        'ACS_ENDPOINT',
        'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
        ...HOST_OVERRIDES,
      ]),
    );
  });

  test("the host.json overrides default to host.json's own values", () => {
    const host = JSON.parse(read('host.json')) as {
      extensions: { queues: { maxDequeueCount: number; visibilityTimeout: string } };
    };
    const queue = readQueueTries({});
    if (!queue.ok) throw new Error('the queue tries have defaults');
    expect(queue.value.maxDequeueCount).toBe(host.extensions.queues.maxDequeueCount);
    expect(queue.value.queueRetrySeconds * 1000).toBe(timeSpanMs(host.extensions.queues.visibilityTimeout));
  });

  test('the README table documents exactly the settings the code reads', () => {
    expect(readmeTable()).toEqual(code);
  });

  test('local.settings.sample.json holds every setting but the host.json overrides (and the Core Tools’ runtime)', () => {
    expect(without(Object.keys(sample), 'FUNCTIONS_WORKER_RUNTIME').sort()).toEqual(without(code, ...HOST_OVERRIDES));
  });

  test('the Bicep sets every setting but the key-based and alternative storage forms and the host.json overrides', () => {
    expect(bicepAppSettings()).toEqual(
      without(
        code,
        // No account key exists: the account refuses shared keys (infra/app/storage.bicep).
        'AzureWebJobsStorage',
        // The service URIs name the account, and the client id names the identity.
        'AzureWebJobsStorage__accountName',
        'AzureWebJobsStorage__managedIdentityResourceId',
        ...HOST_OVERRIDES,
      ),
    );
  });
});
