/**
 * How many cases a property tries: a bounded number in `npm test`, `N` with `npm run fuzz -- N` (which sets
 * FUZZ_RUNS). FUZZ_SEED replays the run a failure report names.
 */
import type fc from 'fast-check';

export function fuzzRuns(inTests: number): number {
  const runs = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(runs) && runs > 0 ? runs : inTests;
}

export function fuzzParameters<T>(inTests: number, extra: fc.Parameters<T> = {}): fc.Parameters<T> {
  const seed = Number(process.env.FUZZ_SEED);
  return { numRuns: fuzzRuns(inTests), ...(Number.isInteger(seed) ? { seed } : {}), ...extra };
}

/** What was tried, printed so a run says how much ground it covered. */
export function report(what: string, counts: Record<string, number>): void {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const parts = Object.entries(counts).map(([k, v]) => `${v} ${k}`);
  console.log(`fuzz: tried ${total} ${what} (${parts.join(', ')})`);
}
