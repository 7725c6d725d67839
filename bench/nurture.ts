/**
 * `npm run bench -- nurture`: the nurture cadence over a simulated month (no storage: it checks behaviour, not
 * speed). BENCH_SEED picks another random month; the invariants must hold for every seed.
 */
import { DEFAULT_SIMULATION, formatSimulation, simulateNurture } from './nurtureSimulation';

export function main(): Promise<void> {
  const seed = Number(process.env.BENCH_SEED ?? DEFAULT_SIMULATION.seed);
  const result = simulateNurture({ ...DEFAULT_SIMULATION, seed: Number.isFinite(seed) ? seed : 1 });
  console.log(formatSimulation(result));
  const broken = Object.entries(result.violations).filter(([, n]) => n > 0);
  if (broken.length > 0) {
    return Promise.reject(new Error(`Cadence invariants broken: ${broken.map(([k, n]) => `${k} ${n}`).join(', ')}`));
  }
  return Promise.resolve();
}
