/**
 * One cold start, in a fresh process (`node build/tests/support/coldStart.js <app folder> <lead body file>`): load
 * the app's files as the worker does (the local host's loader and @azure/functions-core stand-in), ask for the
 * worker's capabilities (which starts the library's HTTP endpoint when the app streams), then POST one lead to the
 * function on route `leads` through the local host's HTTP server and wait for the whole answer. Prints the timings,
 * counted from the start of the process, and the packages loaded by then, as one JSON line. The cold-start benchmark
 * times it; tests/integration/coldStart.test.ts checks what a function file loads.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import { loadEntryPoints } from '../../local-host/src/entryPoints';
import { installFunctionsCore, programmingModel, registeredFunctions } from '../../local-host/src/functionsCore';
import { endpointsOf, startHttpServer } from '../../local-host/src/httpServer';

export interface ColdStart {
  /** Process start to every file loaded. */
  loadedMs: number;
  /** Process start to the first lead's answer read in full. */
  answeredMs: number;
  /** CPU time of the process until then (user + system). */
  cpuMs: number;
  status: number;
  /** What `require` holds once every file is loaded: package names, and the app's own files (relative paths). */
  atLoad: LoadedModules;
  /** The same once the first lead is answered. */
  atAnswer: LoadedModules;
}

export interface LoadedModules {
  packages: string[];
  appFiles: string[];
}

function loadedModules(appRoot: string): LoadedModules {
  const packages = new Set<string>();
  const appFiles = new Set<string>();
  for (const file of Object.keys(require.cache)) {
    const inPackage = /^.*[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(file);
    if (inPackage) packages.add(inPackage[1]!.replace(/\\/g, '/'));
    else if (file.startsWith(appRoot + path.sep)) appFiles.add(path.relative(appRoot, file).split(path.sep).join('/'));
  }
  return { packages: [...packages].sort(), appFiles: [...appFiles].sort() };
}

function post(port: number, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/leads',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function coldStart(appRoot: string, body: string): Promise<ColdStart> {
  installFunctionsCore();
  const loadError = loadEntryPoints(appRoot);
  if (loadError !== undefined) throw new Error(loadError);
  const loadedMs = performance.now();
  const atLoad = loadedModules(appRoot);
  const capabilities = (await programmingModel().getCapabilities?.({})) ?? {};
  const server = await startHttpServer({
    port: 0,
    routePrefix: 'api',
    endpoints: endpointsOf(registeredFunctions()),
    runNonHttp: () => undefined,
    httpProxyUri: capabilities.HttpUri,
    log: () => undefined,
  });
  const status = await post(server.port, body);
  const answeredMs = performance.now();
  const cpu = process.cpuUsage();
  return {
    loadedMs,
    answeredMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    status,
    atLoad,
    atAnswer: loadedModules(appRoot),
  };
}

if (require.main === module) {
  const [appRoot, bodyFile] = process.argv.slice(2);
  if (appRoot === undefined || bodyFile === undefined) {
    console.error('usage: coldStart <app folder> <lead body file>');
    process.exit(2);
  }
  coldStart(path.resolve(appRoot), fs.readFileSync(bodyFile, 'utf8')).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      // The measurement is all this process is for: open sockets and SDK timers need not wind down.
      process.exit(0);
    },
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
