/**
 * `npm run fuzz -- N`: the property-based tests in tests/fuzz with N cases each instead of the bounded number
 * `npm test` tries (each prints how many it tried). `FUZZ_SEED=<seed>` replays the run a failure report names.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const arg = process.argv[2] ?? '1000';
const runs = Number(arg);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`fuzz: expected a whole number of cases to try, such as \`npm run fuzz -- 5000\`, not "${arg}"`);
  process.exit(2);
}
// build/scripts/fuzz.js → the repository root.
const root = path.resolve(__dirname, '..', '..');
const result = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--selectProjects', 'fuzz'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, FUZZ_RUNS: String(runs) },
});
process.exit(result.status ?? 1);
