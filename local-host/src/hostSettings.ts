/** host.json, read the way the Functions host reads the parts this app relies on. */
import fs from 'node:fs';
import path from 'node:path';

import { timeSpanMs } from '../../shared/config/timeSpan';

export interface QueueHostSettings {
  batchSize: number;
  newBatchThreshold: number;
  maxDequeueCount: number;
  visibilityTimeoutMs: number;
  maxPollingIntervalMs: number;
  messageEncoding: 'base64' | 'none';
}

export interface HostSettings {
  routePrefix: string;
  queues: QueueHostSettings;
}

/** "hh:mm:ss" (the host's TimeSpan format) to milliseconds. */
export function parseTimeSpan(text: string, name: string): number {
  const ms = timeSpanMs(text);
  if (ms === undefined) throw new Error(`host.json ${name} is "${text}": expected a TimeSpan like 00:00:10`);
  return ms;
}

type Json = Record<string, unknown>;

function obj(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

/**
 * The real host lets app settings override host.json: `AzureFunctionsJobHost__extensions__queues__maxDequeueCount`
 * sets extensions.queues.maxDequeueCount. Values stay strings, so numbers are converted where they are read.
 */
function applyOverrides(host: Json, env: NodeJS.ProcessEnv): Json {
  for (const [name, value] of Object.entries(env)) {
    const m = /^AzureFunctionsJobHost__(.+)$/i.exec(name);
    if (!m || value === undefined) continue;
    const pathParts = m[1]!.split('__');
    let node = host;
    for (const part of pathParts.slice(0, -1)) {
      const next = obj(node[part]);
      node[part] = next;
      node = next;
    }
    const leaf = pathParts[pathParts.length - 1]!;
    node[leaf] = /^\d+$/.test(value) ? Number(value) : value;
  }
  return host;
}

export function readHostSettings(appRoot: string, env: NodeJS.ProcessEnv = process.env): HostSettings {
  const file = path.join(appRoot, 'host.json');
  const host = applyOverrides(obj(JSON.parse(fs.readFileSync(file, 'utf8')) as unknown), env);
  const extensions = obj(host.extensions);
  const httpExt = obj(extensions.http);
  const q = obj(extensions.queues);
  const batchSize = typeof q.batchSize === 'number' ? q.batchSize : 16;
  if (batchSize < 1 || batchSize > 32)
    throw new Error(`host.json extensions.queues.batchSize is ${batchSize}: expected 1-32`);
  return {
    routePrefix: typeof httpExt.routePrefix === 'string' ? httpExt.routePrefix : 'api',
    queues: {
      batchSize,
      // The real default scales with processors; locally one "instance" with batchSize/2 is the honest equivalent.
      newBatchThreshold: typeof q.newBatchThreshold === 'number' ? q.newBatchThreshold : Math.floor(batchSize / 2),
      maxDequeueCount: typeof q.maxDequeueCount === 'number' ? q.maxDequeueCount : 5,
      visibilityTimeoutMs:
        typeof q.visibilityTimeout === 'string'
          ? parseTimeSpan(q.visibilityTimeout, 'extensions.queues.visibilityTimeout')
          : 0,
      maxPollingIntervalMs:
        typeof q.maxPollingInterval === 'string'
          ? parseTimeSpan(q.maxPollingInterval, 'extensions.queues.maxPollingInterval')
          : 2000,
      messageEncoding: q.messageEncoding === 'none' ? 'none' : 'base64',
    },
  };
}
