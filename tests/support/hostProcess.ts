/**
 * Integration tests run the app as a user does: Azurite on free ports and the local host in its own process,
 * talking over real HTTP. Settings start from local.settings.sample.json so a developer's local.settings.json
 * never changes a test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { type RunningAzurite, startAzurite } from '../../local-host/src/azurite';
import { freePort } from '../../local-host/src/freePort';

/** The app root, whether this file runs from source (ts-jest) or compiled under dist/ (benchmarks). */
function findRepoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'host.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('Cannot find the app root (host.json) above ' + __dirname);
    dir = parent;
  }
  return dir;
}

export const repoRoot = findRepoRoot();

export interface HostProcess {
  baseUrl: string;
  /** The host's process id, for tests that watch its memory. */
  pid: number;
  output: () => string;
  stop(): Promise<void>;
}

export function sampleSettings(): Record<string, string> {
  const sample = JSON.parse(fs.readFileSync(path.join(repoRoot, 'local.settings.sample.json'), 'utf8')) as {
    Values: Record<string, string>;
  };
  return { ...sample.Values };
}

export async function startTestAzurite(): Promise<RunningAzurite> {
  return startAzurite();
}

export async function startHost(env: Record<string, string>, options: { app?: string } = {}): Promise<HostProcess> {
  const main = path.join(repoRoot, 'build', 'local-host', 'src', 'main.js');
  if (!fs.existsSync(main)) throw new Error('build/ is missing: run the tests with `npm test`, which builds first');
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const args = [main, '--port', String(port), '--in-memory'];
    if (options.app) args.push('--app', options.app);
    const child: ChildProcess = spawn(process.execPath, args, {
      env: { ...process.env, ...sampleSettings(), PUBLIC_BASE_URL: `http://localhost:${port}`, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const ready = await new Promise<boolean>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Local host not ready after 30 s:\n${out}`)), 30000);
      const check = (): void => {
        if (out.includes('Host ready')) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      child.stdout?.on('data', check);
      // 'close', not 'exit': the output is complete only once the pipes close.
      child.once('close', () => {
        clearTimeout(timer);
        if (out.includes('EADDRINUSE') && attempt < 3) resolve(false);
        else reject(new Error(`Local host exited before it was ready:\n${out}`));
      });
    });
    if (!ready) continue;
    return {
      baseUrl: `http://127.0.0.1:${port}`,
      pid: child.pid ?? 0,
      output: () => out,
      stop: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    };
  }
}

/** Polls until `probe` returns a value, or fails with `what` after the deadline. */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
