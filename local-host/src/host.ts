/**
 * The local host: runs this app's `app.http / app.storageQueue / app.timer` registrations without the Functions
 * runtime, with the same contracts the real host gives them (see local-host/README.md).
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';

import { QueueServiceClient } from '@azure/storage-queue';
import fastGlob from 'fast-glob';

import { type RunningAzurite, startAzurite } from './azurite';
import { waitForPort } from './freePort';
import { installFunctionsCore, programmingModel, type RegisteredFunction, registeredFunctions } from './functionsCore';
import { readHostSettings } from './hostSettings';
import { endpointsOf, startHttpServer } from './httpServer';
import type { HostLog, InvocationOutcome } from './invoke';
import { invokeFunction } from './invoke';
import { applyLocalSettings, resolveBindingExpression } from './localSettings';
import { type QueuePoller, startQueuePoller } from './queuePoller';
import { startTimer, type TimerRunner } from './timerRunner';

export interface LocalHostOptions {
  appRoot: string;
  port: number;
  /** Azurite data folder when the host starts Azurite itself; undefined keeps data in memory. */
  azuriteLocation?: string;
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

const AZURITE_DEFAULT_PORTS = { blob: 10000, queue: 10001, table: 10002 };

async function isListening(port: number): Promise<boolean> {
  return waitForPort(port, 0).then(
    () => true,
    () => false,
  );
}

/** `UseDevelopmentStorage=true` means Azurite on its default ports: start it unless one already runs there. */
async function ensureStorage(options: LocalHostOptions): Promise<RunningAzurite | undefined> {
  const configured = process.env.AzureWebJobsStorage;
  if (configured !== undefined && configured !== '' && configured !== 'UseDevelopmentStorage=true') return undefined;
  if ((await isListening(AZURITE_DEFAULT_PORTS.queue)) && (await isListening(AZURITE_DEFAULT_PORTS.table))) {
    options.log('Using the Azurite already listening on ports 10000-10002');
    process.env.AzureWebJobsStorage = 'UseDevelopmentStorage=true';
    return undefined;
  }
  const azurite = await startAzurite({ location: options.azuriteLocation, ports: AZURITE_DEFAULT_PORTS });
  options.log(
    `Started Azurite (${options.azuriteLocation ? `data in ${options.azuriteLocation}` : 'in memory'}) on ports 10000-10002`,
  );
  process.env.AzureWebJobsStorage = azurite.connectionString;
  return azurite;
}

/**
 * The files `package.json` "main" names: a path or a glob, matched as the Node worker matches it (globby, which is
 * fast-glob underneath), so `dist/{index.js,functions/*.js}` loads the app setup file and every function file.
 */
export function functionFiles(appRoot: string): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(appRoot, 'package.json'), 'utf8')) as { main?: string };
  const main = pkg.main ?? 'index.js';
  const files = fastGlob.sync(main, { cwd: appRoot, absolute: true }).sort();
  if (files.length === 0)
    throw new Error(`package.json main "${main}" matches no file under ${appRoot} (run npm run build)`);
  return files;
}

export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  const { log } = options;
  applyLocalSettings(options.appRoot, log);
  const azurite = await ensureStorage(options);
  const settings = readHostSettings(options.appRoot);

  installFunctionsCore();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the worker loads CommonJS entry points with require
  for (const file of functionFiles(options.appRoot)) require(file);
  // As the worker does once the app is loaded: this locks app.setup() and, with HTTP streaming on, starts the
  // library's own HTTP endpoint that requests are forwarded to.
  const capabilities = (await programmingModel().getCapabilities?.({})) ?? {};
  const httpProxyUri = capabilities.HttpUri;
  // The real host's switch: app setting AzureWebJobs.<name>.Disabled=true keeps a function from running.
  const functions = registeredFunctions().filter(
    (f) => process.env[`AzureWebJobs.${f.metadata.name}.Disabled`]?.toLowerCase() !== 'true',
  );

  const pollers: QueuePoller[] = [];
  const timers = new Map<string, TimerRunner>();
  let server: http.Server | undefined;
  const stop = async (): Promise<void> => {
    timers.forEach((t) => t.stop());
    await Promise.all(pollers.map((p) => p.stop()));
    await new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      // Open keep-alive and streaming connections would hold close() forever.
      server.closeAllConnections();
    });
    await azurite?.stop();
  };

  try {
    for (const fn of functions) {
      for (const binding of Object.values(fn.metadata.bindings)) {
        const where = `Function ${fn.metadata.name}`;
        if (binding.type === 'queueTrigger') {
          const connection = binding.connection ?? 'AzureWebJobsStorage';
          const connectionString = process.env[connection] ?? process.env[`AzureWebJobs${connection}`];
          if (!connectionString) throw new Error(`${where}: connection setting ${connection} is not set`);
          const service = QueueServiceClient.fromConnectionString(connectionString);
          const queueName = resolveBindingExpression(binding.queueName ?? '', `${where} queueName`);
          pollers.push(await startQueuePoller(fn, service, queueName, settings.queues, log));
        } else if (binding.type === 'timerTrigger') {
          const schedule = resolveBindingExpression(binding.schedule ?? '', `${where} schedule`);
          timers.set(fn.metadata.name, startTimer(fn, schedule, process.env.WEBSITE_TIME_ZONE, log));
        }
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
      return fn ? invokeFunction(fn, { string: input }, {}, log) : undefined;
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
    server = started.server;
    const baseUrl = `http://localhost:${started.port}`;

    log('Functions:');
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
