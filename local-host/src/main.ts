/**
 * `npm start`: the app on http://localhost:7071 with Azurite, without the Functions Core Tools.
 * Options: --port N (default 7071, or LOCAL_HOST_PORT), --in-memory (Azurite keeps nothing on disk),
 * --app DIR (another function app folder; tests use it for fixture apps), --azurite-dir DIR (Azurite's data,
 * default <app>/.azurite), --azurite-ports BLOB,QUEUE,TABLE (default 10000,10001,10002).
 */
import path from 'node:path';

import { findCoreTools } from './coreTools';
import { type AzuritePorts, type LocalHost, startLocalHost } from './host';
import { checkFunctionsLibrary } from './libraryVersion';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function azuritePorts(): AzuritePorts | undefined {
  const text = argValue('--azurite-ports');
  if (text === undefined) return undefined;
  const [blob, queue, table] = text.split(',').map(Number);
  if (![blob, queue, table].every((p) => Number.isInteger(p) && p! > 0 && p! < 65536))
    throw new Error(`--azurite-ports is "${text}": expected three ports, BLOB,QUEUE,TABLE`);
  return { blob: blob!, queue: queue!, table: table! };
}

/**
 * Writes to a pipe are synchronous in Node; under load a write per log line costs more than the invocation it
 * describes. Lines are gathered and written once per turn of the event loop, still in order.
 */
function bufferedLog(): (line: string) => void {
  let pending: string[] = [];
  const flush = (): void => {
    const text = pending.join('\n') + '\n';
    pending = [];
    process.stdout.write(text);
  };
  process.on('exit', () => pending.length > 0 && flush());
  return (line) => {
    if (pending.push(line) === 1) setImmediate(flush);
  };
}

// `npm start` forwards the terminal's SIGINT to this process, which the terminal signals too (it signals the whole
// foreground process group): one Ctrl-C arrives twice, milliseconds apart. Only a later one is a second Ctrl-C.
const SAME_KEY_PRESS_MS = 500;
const SIGNAL_EXIT_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/**
 * The first Ctrl-C (or SIGTERM) stops the host gracefully: no new requests or messages, what is in flight ends,
 * then Azurite writes its data to disk and exits; only then does this process exit. Another one quits at once.
 */
function handleSignals(host: () => LocalHost | undefined, log: (line: string) => void): void {
  let firstAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    const running = host();
    if (firstAt !== undefined || running === undefined) {
      if (firstAt !== undefined && Date.now() - firstAt < SAME_KEY_PRESS_MS) return;
      log(`${signal}: quitting without waiting`);
      process.exit(SIGNAL_EXIT_CODES[signal] ?? 1);
    }
    firstAt = Date.now();
    log(`${signal}: stopping: finishing what is in flight, then saving storage (Ctrl-C again quits at once)...`);
    running.stop().then(
      () => {
        log('Stopped.');
        process.exit(0);
      },
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
}

async function main(): Promise<void> {
  // build/local-host/src/main.js → the app root three levels up.
  const appRoot = path.resolve(argValue('--app') ?? path.join(__dirname, '..', '..', '..'));
  const port = Number(argValue('--port') ?? process.env.LOCAL_HOST_PORT ?? 7071);
  const inMemory = process.argv.includes('--in-memory');
  const log = bufferedLog();
  // Set once started; a signal before that quits at once.
  const started: { host?: LocalHost } = {};
  handleSignals(() => started.host, log);

  const unsupported = checkFunctionsLibrary(appRoot);
  if (unsupported !== undefined) {
    console.error(unsupported);
    process.exit(1);
  }
  const coreTools = findCoreTools(process.env);
  if (coreTools !== undefined) {
    log(`Azure Functions Core Tools found (${coreTools}). To run this app on the real Functions host instead:`);
    log('  npx azurite --silent --location .azurite   # storage, in another terminal: func does not start it');
    log('  npm run build && func start');
  }

  const host = await startLocalHost({
    appRoot,
    port,
    azuriteLocation: inMemory ? undefined : path.resolve(argValue('--azurite-dir') ?? path.join(appRoot, '.azurite')),
    azuritePorts: azuritePorts(),
    log,
  });
  started.host = host;
  log(`Host ready: POST leads to ${host.baseUrl}/api/leads, e.g.`);
  log(
    `  curl -i -X POST ${host.baseUrl}/api/leads -H 'content-type: application/json' --data @samples/https-example.json`,
  );
  if (host.functions.some((f) => f.metadata.name === 'dashboard'))
    log(`Sales dashboard: ${host.baseUrl}/api/dashboard`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
