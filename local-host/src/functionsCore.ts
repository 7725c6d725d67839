/**
 * The local stand-in for the `@azure/functions-core` module that the Functions Node worker injects. Providing it
 * makes `app.http/app.storageQueue/app.timer` register exactly as they do under the real host: we receive each
 * function's binding metadata and handler, and invoke through the library's own ProgrammingModel, so request and
 * response conversion is the library's code, not ours.
 */
import Module from 'node:module';

import type { FunctionCallback, FunctionMetadata, ProgrammingModel } from './coreTypes';
import { WORKER_CORE_VERSION } from './supportedVersions';

export interface RegisteredFunction {
  metadata: FunctionMetadata;
  handler: FunctionCallback;
}

interface CoreState {
  functions: RegisteredFunction[];
  programmingModel?: ProgrammingModel;
}

const state: CoreState = { functions: [] };

interface Disposable {
  dispose(): void;
}

const coreModule = {
  version: WORKER_CORE_VERSION,
  hostVersion: '4.0.0-local',
  registerFunction(metadata: FunctionMetadata, handler: FunctionCallback): Disposable {
    if (state.functions.some((f) => f.metadata.name === metadata.name)) {
      throw new Error(`A function named "${metadata.name}" is already registered`);
    }
    const entry = { metadata, handler };
    state.functions.push(entry);
    return { dispose: () => state.functions.splice(state.functions.indexOf(entry), 1) };
  },
  setProgrammingModel(model: ProgrammingModel): void {
    state.programmingModel = model;
  },
  getProgrammingModel(): ProgrammingModel | undefined {
    return state.programmingModel;
  },
  // Hooks are accepted so apps that register them load; this app registers none.
  registerHook(): Disposable {
    return { dispose: () => undefined };
  },
  log(level: string, category: string, message: string): void {
    if (category === 'system' && level !== 'warning' && level !== 'error') return;
    console.log(`[${level}] ${message}`);
  },
};

let installed = false;

/** Makes `require('@azure/functions-core')` resolve to this module. Must run before any function module loads. */
export function installFunctionsCore(): void {
  if (installed) return;
  installed = true;
  const moduleWithResolver = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
  };
  const original = moduleWithResolver._resolveFilename.bind(Module);
  moduleWithResolver._resolveFilename = function (request: string, ...rest: unknown[]): string {
    if (request === '@azure/functions-core') return __filename;
    return original(request, ...rest);
  };
  // The resolved id must serve the core API, not this file's own exports object.
  const self = require.cache[__filename];
  if (self) self.exports = Object.assign(self.exports as object, coreModule);
}

export function registeredFunctions(): readonly RegisteredFunction[] {
  return state.functions;
}

export function programmingModel(): ProgrammingModel {
  if (!state.programmingModel) {
    throw new Error('No function registered: @azure/functions never set its programming model');
  }
  return state.programmingModel;
}
