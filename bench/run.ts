/**
 * `npm run bench -- <name>`: each benchmark measures the app and a raw baseline against the same Azurite in one
 * run, and prints the ratio. Absolute numbers vary on shared machines; the ratio is what the targets speak of.
 */
const BENCHMARKS: Record<string, () => Promise<void>> = {
  coldstart: async () => (await import('./coldstart')).main(),
  ingest: async () => (await import('./ingest')).main(),
  process: async () => (await import('./process')).main(),
  reminders: async () => (await import('./reminders')).main(),
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
