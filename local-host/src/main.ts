/**
 * `npm start`: the app on http://localhost:7071 with Azurite, without the Functions Core Tools.
 * Options: --port N (default 7071, or LOCAL_HOST_PORT), --in-memory (Azurite keeps nothing on disk),
 * --app DIR (another function app folder; tests use it for fixture apps).
 */
import path from 'node:path';

import { startLocalHost } from './host';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
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

async function main(): Promise<void> {
  // build/local-host/src/main.js → the app root three levels up.
  const appRoot = path.resolve(argValue('--app') ?? path.join(__dirname, '..', '..', '..'));
  const port = Number(argValue('--port') ?? process.env.LOCAL_HOST_PORT ?? 7071);
  const inMemory = process.argv.includes('--in-memory');
  const log = bufferedLog();
  const host = await startLocalHost({
    appRoot,
    port,
    azuriteLocation: inMemory ? undefined : path.join(appRoot, '.azurite'),
    log,
  });
  log(`Host ready: POST leads to ${host.baseUrl}/api/leads, e.g.`);
  log(
    `  curl -i -X POST ${host.baseUrl}/api/leads -H 'content-type: application/json' --data @samples/https-example.json`,
  );
  if (host.functions.some((f) => f.metadata.name === 'dashboard'))
    log(`Sales dashboard: ${host.baseUrl}/api/dashboard`);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping...`);
    host.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
