/** Starts Azurite (the npm package) as a child process and gives its connection string. */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { freePort, waitForPort } from './freePort';

export interface AzuriteOptions {
  /** Where data is kept; omit for in-memory storage (tests). */
  location?: string;
  /** Fixed ports (npm start uses Azurite's defaults); omitted ports are chosen free. */
  ports?: { blob: number; queue: number; table: number };
}

export interface RunningAzurite {
  connectionString: string;
  ports: { blob: number; queue: number; table: number };
  /** The Azurite process, so fault tests can freeze it (SIGSTOP) as a network black hole would. */
  pid: number;
  stop(): Promise<void>;
}

// Azurite's well-known development account: public, documented, and accepted by nothing but the emulator.
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export function developmentConnectionString(ports: { blob: number; queue: number; table: number }): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${ACCOUNT}`,
    `AccountKey=${KEY}`,
    `BlobEndpoint=http://127.0.0.1:${ports.blob}/${ACCOUNT}`,
    `QueueEndpoint=http://127.0.0.1:${ports.queue}/${ACCOUNT}`,
    `TableEndpoint=http://127.0.0.1:${ports.table}/${ACCOUNT}`,
  ].join(';');
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const ports = options.ports ?? { blob: await freePort(), queue: await freePort(), table: await freePort() };
  const bin = require.resolve('azurite/dist/src/azurite.js');
  const args = [
    bin,
    '--silent',
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--loose',
    '--blobPort',
    String(ports.blob),
    '--queuePort',
    String(ports.queue),
    '--tablePort',
    String(ports.table),
  ];
  if (options.location) {
    fs.mkdirSync(options.location, { recursive: true });
    args.push('--location', path.resolve(options.location));
  } else {
    args.push('--inMemoryPersistence');
  }
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`Azurite exited (code ${code}) before it was ready: ${stderr.trim()}`)),
    ),
  );
  exited.catch(() => undefined);
  await Promise.race([Promise.all([waitForPort(ports.queue, 30000), waitForPort(ports.table, 30000)]), exited]);
  return {
    connectionString: developmentConnectionString(ports),
    ports,
    pid: child.pid ?? 0,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
