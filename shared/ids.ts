import { randomFillSync } from 'node:crypto';

import { monotonicFactory } from 'ulid';

// ulid asks its PRNG for one value per character; drawing each from the OS costs a syscall, so take them from a
// pooled buffer of cryptographic randomness instead (same source, one refill per 1024 values).
const pool = new Uint8Array(1024);
let next = pool.length;
function pooledRandom(): number {
  if (next >= pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++]! / 0x100;
}

/** ULIDs sort by creation time; the monotonic factory keeps that order within one millisecond too. */
export const newUlid: () => string = monotonicFactory(pooledRandom);
