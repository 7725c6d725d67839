/**
 * The Chromium the browser tests drive. `CHROMIUM_PATH` names one the user installed (Debian's /usr/bin/chromium,
 * say); otherwise the headless Chromium that the @sparticuz/chromium npm package ships brotli-compressed inside it,
 * so `npm ci && npm test` needs nothing but Node. That binary is unpacked once per package version into
 * node_modules/.cache, which `npm ci` wipes with the rest. Only the binary is used, not the package's JavaScript
 * (written for serverless hosts: it unpacks into /tmp and is not safe for two processes at once).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';

export async function chromiumExecutable(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const chosen = env.CHROMIUM_PATH;
  if (chosen === undefined || chosen === '') return unpackBundledChromium();
  if (!isExecutableFile(chosen)) throw new Error(`CHROMIUM_PATH is ${chosen}, which is not an executable file`);
  return chosen;
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function bundledPackage(): { dir: string; version: string } {
  let entry: string;
  try {
    entry = require.resolve('@sparticuz/chromium');
  } catch {
    throw new Error('@sparticuz/chromium is not installed: run `npm ci`, or set CHROMIUM_PATH to a Chromium binary');
  }
  // The package's exports hide package.json and bin/ from require; both sit one level above its entry point.
  const dir = path.resolve(path.dirname(entry), '..');
  const { version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string };
  return { dir, version };
}

/**
 * Jest runs test files in parallel processes, so two may get here at once: each unpacks into a file of its own and
 * renames it into place. The rename is atomic, so the final path is either absent or complete, never half-written;
 * the loser of a race replaces the binary with an identical one, which a browser already started from it survives.
 */
async function unpackBundledChromium(): Promise<string> {
  const { dir, version } = bundledPackage();
  const cache = path.resolve(dir, '..', '..', '.cache', `sparticuz-chromium-${version}`);
  const target = path.join(cache, 'chromium');
  if (isExecutableFile(target)) return target;
  const compressed = path.join(dir, 'bin', 'chromium.br');
  if (!fs.existsSync(compressed)) throw new Error(`${compressed} is missing: reinstall with \`npm ci\``);
  fs.mkdirSync(cache, { recursive: true });
  const partial = path.join(cache, `chromium.${process.pid}.${randomBytes(4).toString('hex')}.partial`);
  try {
    await pipeline(fs.createReadStream(compressed), createBrotliDecompress(), fs.createWriteStream(partial));
    fs.chmodSync(partial, 0o755);
    fs.renameSync(partial, target);
  } finally {
    fs.rmSync(partial, { force: true });
  }
  return target;
}
