/**
 * Loading the app as the Node worker does (azure-functions-nodejs-worker src/startApp.ts, loadEntryPointFile): the
 * files `package.json` "main" names, one after the other, inside one try. The first file that throws ends the
 * loading; the files after it are never loaded. Since worker 3.8 (host 4.25) the error is blocking for an app on
 * the v4 programming model, and always on Node 20+: the worker answers the host's request for the app's functions
 * with that error, so not one function of the app runs, not even those registered before the file that threw.
 */
import fs from 'node:fs';
import path from 'node:path';

import fastGlob from 'fast-glob';

/**
 * The files `package.json` "main" names: a path or a glob, matched as the worker matches it (globby, which is
 * fast-glob underneath), so `dist/{index.js,functions/*.js}` loads the app setup file and every function file.
 * Sorted by path, so the order is the same on every machine (the worker takes the file system's order).
 */
export function entryPointFiles(appRoot: string): { pattern: string; files: string[] } {
  const pkg = JSON.parse(fs.readFileSync(path.join(appRoot, 'package.json'), 'utf8')) as { main?: string };
  const pattern = pkg.main ?? 'index.js';
  const files = fastGlob.sync(pattern, { cwd: appRoot }).sort();
  return { pattern, files };
}

/** Undefined when every file loaded; else the worker's message, which names the file that threw. */
export function loadEntryPoints(appRoot: string): string | undefined {
  const { pattern, files } = entryPointFiles(appRoot);
  if (files.length === 0)
    return `Worker was unable to load entry point "${pattern}": Found zero files matching the supplied pattern (run npm run build)`;
  for (const file of files) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the worker loads CommonJS entry points with require
      require(path.resolve(appRoot, file));
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return `Worker was unable to load entry point "${file}": ${message}`;
    }
  }
  return undefined;
}
