/**
 * Ctrl-C loses no accepted lead: `npm start`'s entry runs in a process group of its own, as in a terminal, and the
 * whole group gets SIGINT right after ten leads got their 202. Started again on the same data folder, it has all ten.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { eventually, repoRoot, sampleSettings } from '../../tests/support/hostProcess';
import { freePort, waitForPort } from '../src/freePort';

interface Started {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startNpmStartEntry(dataDir: string, azurite: number[], port: number): Promise<Started> {
  const main = path.join(repoRoot, 'build', 'local-host', 'src', 'main.js');
  const args = [main, '--port', String(port), '--azurite-dir', dataDir, '--azurite-ports', azurite.join(',')];
  // Its own process group, as a terminal runs a foreground job: process.kill(-pid) reaches the host and every
  // child it did not move to a group of its own.
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...sampleSettings(), PUBLIC_BASE_URL: `http://localhost:${port}` },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  await eventually('the host to be ready', () => {
    if (child.exitCode !== null) throw new Error(`The host exited before it was ready:\n${out}`);
    return out.includes('Host ready') ? true : undefined;
  });
  return { child, baseUrl: `http://127.0.0.1:${port}`, output: () => out, exited };
}

function lead(n: number): string {
  const sample = JSON.parse(fs.readFileSync(path.join(repoRoot, 'samples', 'https-example.json'), 'utf8')) as {
    UserDetails: Record<string, string>;
  };
  sample.UserDetails.Email = `ctrl-c-${n}@contoso.example`;
  return JSON.stringify(sample);
}

async function postLead(baseUrl: string, n: number): Promise<string> {
  const res = await fetch(`${baseUrl}/api/leads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: lead(n),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

describe('stopping npm start', () => {
  let dataDir: string;
  let azurite: number[];
  const running = new Set<Started>();

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-host-shutdown-'));
    azurite = [await freePort(), await freePort(), await freePort()];
  });
  afterEach(async () => {
    for (const host of running) {
      if (host.child.exitCode === null && host.child.signalCode === null) host.child.kill('SIGTERM');
      await host.exited;
    }
    running.clear();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const start = async (): Promise<Started> => {
    const host = await startNpmStartEntry(dataDir, azurite, await freePort());
    running.add(host);
    return host;
  };

  test('Ctrl-C right after ten 202s: the next start has all ten leads', async () => {
    const first = await start();
    const ids = await Promise.all(Array.from({ length: 10 }, (_, n) => postLead(first.baseUrl, n)));

    process.kill(-first.child.pid!, 'SIGINT');
    // `npm start` forwards the terminal's SIGINT to the script, which the terminal signalled too: the same key press.
    process.kill(first.child.pid!, 'SIGINT');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.output()).toContain('Stopped.');
    // What was in flight (the ten being processed) ended before storage stopped: nothing failed on the way out.
    expect(first.output()).not.toMatch(/\(Failed,|host error|cannot read queue/);

    const second = await start();
    for (const id of ids) {
      await eventually(`lead ${id} listed after the restart`, async () =>
        (await fetch(`${second.baseUrl}/api/leads/${id}`)).status === 200 ? true : undefined,
      );
    }
  });

  test('shutdown waits for a request in flight; a second Ctrl-C quits at once, and storage still saves and stops', async () => {
    const host = await start();
    // A lead whose body is still arriving: the graceful stop waits for it.
    const url = new URL(`${host.baseUrl}/api/leads`);
    const slow = http.request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '100000' },
    });
    slow.on('error', () => undefined);
    slow.write('{"UserDetails":');
    await eventually('the request to reach the function', () =>
      host.output().includes("Executing 'ingestLead'") ? true : undefined,
    );

    process.kill(-host.child.pid!, 'SIGINT');
    await eventually('the graceful stop to begin', () =>
      host.output().includes('SIGINT: stopping') ? true : undefined,
    );
    // Still waiting for the request, not quitting.
    await new Promise((r) => setTimeout(r, 1000));
    expect(host.child.exitCode).toBeNull();

    process.kill(-host.child.pid!, 'SIGINT');
    expect(await host.exited).toEqual({ code: 130, signal: null });
    slow.destroy();
    // Azurite, in a group of its own, was asked to stop as the host quit: it saves and frees its ports.
    await eventually('Azurite to stop', () =>
      waitForPort(azurite[1]!, 0).then(
        () => undefined,
        () => true,
      ),
    );
    expect(fs.existsSync(path.join(dataDir, '__azurite_db_queue__.json'))).toBe(true);
  });
});
