/**
 * Loaded into Azurite's process by the process benchmark (`node --require`): tallies every request Azurite serves
 * as `<method> <table or queue>[ <kind>]` (the names callCount.ts gives, keys left out) with the time Azurite took
 * to answer it. On SIGUSR2 it writes the tally to AZURITE_TALLY_FILE and starts again from zero, so the benchmark
 * reads what each drain cost the store, whichever process (host, poller, another function) made the calls.
 */
import fs from 'node:fs';
import http from 'node:http';

import { operationOf } from '../shared/storage/callCount';

export interface TallyEntry {
  count: number;
  /** Total time from request to answer, ms. */
  ms: number;
  /** Answers by HTTP status. */
  statuses: Record<string, number>;
}

let tally = new Map<string, TallyEntry>();

// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with each server as `this`
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (this: http.Server, event: string, ...args: unknown[]): boolean {
  if (event === 'request') {
    const [request, response] = args as [http.IncomingMessage, http.ServerResponse];
    const started = performance.now();
    const key = operationOf(request.method ?? 'GET', `http://azurite${request.url ?? '/'}`);
    response.once('finish', () => {
      const entry = tally.get(key) ?? { count: 0, ms: 0, statuses: {} };
      entry.count++;
      entry.ms += performance.now() - started;
      entry.statuses[response.statusCode] = (entry.statuses[response.statusCode] ?? 0) + 1;
      tally.set(key, entry);
    });
  }
  return Reflect.apply(emit, this, [event, ...args]) as boolean;
} as typeof http.Server.prototype.emit;

process.on('SIGUSR2', () => {
  const file = process.env.AZURITE_TALLY_FILE;
  if (!file) return;
  const written = Object.fromEntries(tally);
  tally = new Map();
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(written));
  fs.renameSync(`${file}.tmp`, file);
});
