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
  /**
   * Run Azurite in a process group of its own, so that the SIGINT a terminal sends the whole foreground group on
   * Ctrl-C reaches only its parent, which stops it once nothing writes any more (see stop()).
   */
  ownProcessGroup?: boolean;
  /**
   * HTTPS with this certificate and key (PEM files), and Entra tokens accepted (`--oauth basic`): what tests of
   * identity-based connections need, since SDKs send tokens over HTTPS only. Shared keys are still accepted.
   */
  oauth?: { certPath: string; keyPath: string };
  /** Options for Azurite's node process (a benchmark's `--require` of a request tally). */
  nodeArgs?: string[];
}

export interface RunningAzurite {
  connectionString: string;
  /** The services' URLs (the account in the path), https with `oauth`. */
  urls: { blob: string; queue: string; table: string };
  ports: { blob: number; queue: number; table: number };
  /** The Azurite process, so fault tests can freeze it (SIGSTOP) as a network black hole would. */
  pid: number;
  /**
   * Asks Azurite to close, once, and resolves when it has exited. On SIGTERM Azurite stops taking requests, then
   * writes its databases to disk (it otherwise saves them every 5 s) and exits. A second signal would cut that short:
   * its handlers run once, and a second close() rejects and takes the process down, so it only ever gets one.
   */
  stop(): Promise<void>;
}

// Azurite's well-known development account: public, documented, and accepted by nothing but the emulator.
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

function serviceUrls(ports: { blob: number; queue: number; table: number }, protocol: 'http' | 'https') {
  const url = (port: number): string => `${protocol}://127.0.0.1:${port}/${ACCOUNT}`;
  return { blob: url(ports.blob), queue: url(ports.queue), table: url(ports.table) };
}

export function developmentConnectionString(
  ports: { blob: number; queue: number; table: number },
  protocol: 'http' | 'https' = 'http',
): string {
  const urls = serviceUrls(ports, protocol);
  return [
    `DefaultEndpointsProtocol=${protocol}`,
    `AccountName=${ACCOUNT}`,
    `AccountKey=${KEY}`,
    `BlobEndpoint=${urls.blob}`,
    `QueueEndpoint=${urls.queue}`,
    `TableEndpoint=${urls.table}`,
  ].join(';');
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const ports = options.ports ?? { blob: await freePort(), queue: await freePort(), table: await freePort() };
  const bin = require.resolve('azurite/dist/src/azurite.js');
  const args = [
    ...(options.nodeArgs ?? []),
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
  if (options.oauth) args.push('--oauth', 'basic', '--cert', options.oauth.certPath, '--key', options.oauth.keyPath);
  const protocol = options.oauth ? 'https' : 'http';
  const child: ChildProcess = spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: options.ownProcessGroup === true,
  });
  let signalled = false;
  const askToStop = (): void => {
    if (signalled || child.exitCode !== null || child.signalCode !== null) return;
    signalled = true;
    child.kill('SIGTERM');
  };
  // Also when this process quits without stop() (a second Ctrl-C, a crash): Azurite still saves what it holds.
  process.once('exit', askToStop);
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
    connectionString: developmentConnectionString(ports, protocol),
    urls: serviceUrls(ports, protocol),
    ports,
    pid: child.pid ?? 0,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener('exit', askToStop);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        askToStop();
      }),
  };
}
