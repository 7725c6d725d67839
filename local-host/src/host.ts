/**
 * The local host: runs this app's `app.http / app.storageQueue / app.timer` registrations without the Functions
 * runtime, with the same contracts the real host gives them (see local-host/README.md).
 */
import { QueueServiceClient } from '@azure/storage-queue';

import { credentialFor } from '../../shared/azureCredential';
import {
  describeStorageConnection,
  readStorageConnection,
  type StorageConnection,
} from '../../shared/storage/connection';
import { developmentConnectionString, type RunningAzurite, startAzurite } from './azurite';
import { loadEntryPoints } from './entryPoints';
import { waitForPort } from './freePort';
import { installFunctionsCore, programmingModel, type RegisteredFunction, registeredFunctions } from './functionsCore';
import { readHostSettings } from './hostSettings';
import { endpointsOf, type RunningHttpServer, startHttpServer } from './httpServer';
import { indexingFailure, queueConnection, queueTriggerName, timerSchedule } from './indexing';
import type { HostLog, InvocationOutcome } from './invoke';
import { invokeFunction } from './invoke';
import { applyLocalSettings } from './localSettings';
import { type QueuePoller, startQueuePoller } from './queuePoller';
import { startTimer, type TimerRunner } from './timerRunner';

export interface AzuritePorts {
  blob: number;
  queue: number;
  table: number;
}

export interface LocalHostOptions {
  appRoot: string;
  port: number;
  /** Azurite data folder when the host starts Azurite itself; undefined keeps data in memory. */
  azuriteLocation?: string;
  /** Where `UseDevelopmentStorage=true` looks for Azurite, or starts it: its default ports unless told. */
  azuritePorts?: AzuritePorts;
  log: HostLog;
}

export interface LocalHost {
  port: number;
  baseUrl: string;
  functions: readonly RegisteredFunction[];
  /** Resolves when every queue poller has nothing in flight. */
  queuesIdle(): Promise<void>;
  stop(): Promise<void>;
}

const AZURITE_DEFAULT_PORTS: AzuritePorts = { blob: 10000, queue: 10001, table: 10002 };

async function isListening(port: number): Promise<boolean> {
  return waitForPort(port, 0).then(
    () => true,
    () => false,
  );
}

/** Whether an `AzureWebJobsStorage__*` setting has a value: storage is then reached with an identity. */
function identityStorage(): boolean {
  return Object.keys(process.env).some((k) => k.startsWith('AzureWebJobsStorage__') && process.env[k]?.trim());
}

/**
 * `UseDevelopmentStorage=true` (or no storage setting at all) means Azurite on its default ports: start it unless
 * one already runs there. A connection string, or an identity-based connection, is used as it is.
 */
async function ensureStorage(options: LocalHostOptions): Promise<RunningAzurite | undefined> {
  const configured = process.env.AzureWebJobsStorage?.trim();
  if (configured !== undefined && configured !== '' && configured !== 'UseDevelopmentStorage=true') return undefined;
  if ((configured === undefined || configured === '') && identityStorage()) {
    const read = readStorageConnection(process.env);
    options.log(
      read.ok
        ? `Storage: ${describeStorageConnection(read.connection)} (no Azurite)`
        : `Storage: identity-based settings that are not usable (no Azurite): ${read.problems.map((p) => p.message).join('; ')}`,
    );
    return undefined;
  }
  const ports = options.azuritePorts ?? AZURITE_DEFAULT_PORTS;
  const portRange = `ports ${ports.blob}, ${ports.queue}, ${ports.table}`;
  if ((await isListening(ports.queue)) && (await isListening(ports.table))) {
    options.log(`Using the Azurite already listening on ${portRange}`);
    process.env.AzureWebJobsStorage = developmentStorage(ports);
    return undefined;
  }
  const azurite = await startAzurite({ location: options.azuriteLocation, ports, ownProcessGroup: true });
  options.log(
    `Started Azurite (${options.azuriteLocation ? `data in ${options.azuriteLocation}` : 'in memory'}) on ${portRange}`,
  );
  process.env.AzureWebJobsStorage = azurite.connectionString;
  return azurite;
}

function developmentStorage(ports: AzuritePorts): string {
  const defaults = Object.entries(ports).every(([k, v]) => AZURITE_DEFAULT_PORTS[k as keyof AzuritePorts] === v);
  return defaults ? 'UseDevelopmentStorage=true' : developmentConnectionString(ports);
}

/** The queue trigger's client, as the Storage extension builds it: from the connection string, or with a token. */
function queueService(connection: StorageConnection): QueueServiceClient {
  return connection.kind === 'identity'
    ? new QueueServiceClient(connection.queueServiceUrl, credentialFor(connection.credential))
    : QueueServiceClient.fromConnectionString(connection.connectionString);
}

/** Each trigger's resolved binding, or why the real host would disable the function. */
function indexed(
  fn: RegisteredFunction,
):
  | { kind: 'queue'; queueName: string; connection: StorageConnection }
  | { kind: 'timer'; schedule: string }
  | { kind: 'other' }
  | { kind: 'error'; error: string } {
  const trigger = Object.values(fn.metadata.bindings).find((b) => b.direction === 'in' && b.type.endsWith('Trigger'));
  if (trigger?.type === 'queueTrigger') {
    const connection = queueConnection(trigger, process.env);
    if (!connection.ok) return { kind: 'error', error: connection.error };
    const queueName = queueTriggerName(trigger, process.env);
    if (!queueName.ok) return { kind: 'error', error: queueName.error };
    return { kind: 'queue', queueName: queueName.value, connection: connection.value };
  }
  if (trigger?.type === 'timerTrigger') {
    const schedule = timerSchedule(trigger, process.env);
    return schedule.ok ? { kind: 'timer', schedule: schedule.value } : { kind: 'error', error: schedule.error };
  }
  return { kind: 'other' };
}

export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  const { log } = options;
  applyLocalSettings(options.appRoot, log);
  const azurite = await ensureStorage(options);
  const settings = readHostSettings(options.appRoot);

  installFunctionsCore();
  const loadError = loadEntryPoints(options.appRoot);
  if (loadError !== undefined) {
    // The worker's answer to the host's request for functions is this error, so the host runs none of them.
    log(`[error] ${loadError}`);
    log('[error] Worker failed to index functions. No function of this app runs, as in Azure: fix the file above.');
  }
  // As the worker does once the app is loaded: this locks app.setup() and, with HTTP streaming on, starts the
  // library's own HTTP endpoint that requests are forwarded to.
  const capabilities = loadError === undefined ? ((await programmingModel().getCapabilities?.({})) ?? {}) : {};
  const httpProxyUri = capabilities.HttpUri;
  // The real host's switch: app setting AzureWebJobs.<name>.Disabled=true keeps a function from running.
  const enabled = (loadError === undefined ? registeredFunctions() : []).filter(
    (f) => process.env[`AzureWebJobs.${f.metadata.name}.Disabled`]?.toLowerCase() !== 'true',
  );

  const pollers: QueuePoller[] = [];
  const timers = new Map<string, TimerRunner>();
  const adminRuns = new Set<Promise<unknown>>();
  let http: RunningHttpServer | undefined;
  // Nothing new first (requests, messages, timer runs), then what is in flight ends, then storage writes its data.
  const stop = async (): Promise<void> => {
    await Promise.all([
      http?.drain(),
      ...pollers.map((p) => p.stop()),
      ...[...timers.values()].map((t) => t.stop()),
      ...adminRuns,
    ]);
    await azurite?.stop();
  };

  const functions: RegisteredFunction[] = [];
  try {
    for (const fn of enabled) {
      const binding = indexed(fn);
      if (binding.kind === 'error') {
        // As the host with AllowPartialHostStartup: this function is disabled, the others run.
        for (const line of indexingFailure(fn.metadata.name, binding.error)) log(`[error] ${line}`);
        continue;
      }
      functions.push(fn);
      if (binding.kind === 'queue') {
        const service = queueService(binding.connection);
        pollers.push(await startQueuePoller(fn, service, binding.queueName, settings.queues, log));
      } else if (binding.kind === 'timer') {
        timers.set(fn.metadata.name, startTimer(fn, binding.schedule, process.env.WEBSITE_TIME_ZONE, log));
      }
    }

    const runNonHttp = (name: string, input: string): Promise<InvocationOutcome> | undefined => {
      const timer = [...timers.values()].find((t) => t.name.toLowerCase() === name.toLowerCase());
      if (timer) return timer.runNow();
      const fn = functions.find(
        (f) =>
          f.metadata.name.toLowerCase() === name.toLowerCase() &&
          !Object.values(f.metadata.bindings).some((b) => b.type === 'httpTrigger'),
      );
      const run = fn ? invokeFunction(fn, { string: input }, {}, log) : undefined;
      if (run) {
        const settled: Promise<unknown> = run.then(
          () => adminRuns.delete(settled),
          () => adminRuns.delete(settled),
        );
        adminRuns.add(settled);
      }
      return run;
    };
    const endpoints = endpointsOf(functions);
    const started = await startHttpServer({
      port: options.port,
      routePrefix: settings.routePrefix,
      endpoints,
      runNonHttp,
      httpProxyUri,
      log,
    });
    http = started;
    const baseUrl = `http://localhost:${started.port}`;

    log(functions.length > 0 ? 'Functions:' : 'No job functions found.');
    for (const e of endpoints) {
      const prefix = settings.routePrefix ? `/${settings.routePrefix}` : '';
      log(
        `  ${e.fn.metadata.name}: [${e.methods.join(',')}] ${baseUrl}${prefix}/${e.route.template} (authLevel ${e.authLevel})`,
      );
    }
    for (const p of pollers) log(`  ${p.functionName}: queueTrigger on "${p.queueName}"`);
    for (const t of timers.values())
      log(`  ${t.name}: timerTrigger "${t.schedule}", next run ${t.nextRun()?.toISOString() ?? 'never'}`);
    if (httpProxyUri)
      log('HTTP streaming is on (app.setup enableHttpStream): request and response bodies are streamed.');
    log('Function keys are not checked locally, as with func start. Ctrl-C stops the host.');

    return {
      port: started.port,
      baseUrl,
      functions,
      queuesIdle: async () => {
        await Promise.all(pollers.map((p) => p.idle()));
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
