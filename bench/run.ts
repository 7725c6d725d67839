/**
 * `npm run bench -- <name>`: each timing benchmark measures the app and a raw baseline against the same Azurite in
 * one run, and prints the ratio. Absolute numbers vary on shared machines; the ratio is what the targets speak of.
 * `nurture` is a simulation instead: behaviour over a month, no storage and no timing.
 */
const BENCHMARKS: Record<string, () => Promise<void>> = {
  coldstart: async () => (await import('./coldstart')).main(),
  ingest: async () => (await import('./ingest')).main(),
  dashboard: async () => (await import('./dashboard')).main(),
  process: async () => (await import('./process')).main(),
  reminders: async () => (await import('./reminders')).main(),
  nurture: async () => (await import('./nurture')).main(),
};

async function run(): Promise<void> {
  const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const chosen = names.length > 0 ? names : Object.keys(BENCHMARKS);
  for (const name of chosen) {
    const bench = BENCHMARKS[name];
    if (!bench) throw new Error(`Unknown benchmark "${name}": choose from ${Object.keys(BENCHMARKS).join(', ')}`);
    console.log(`\n== ${name} ==`);
    await bench();
  }
}

run().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
