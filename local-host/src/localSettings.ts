/**
 * `local.settings.json` → process environment, as `func start` does. The file is git-ignored; on first run it is
 * created from `local.settings.sample.json`. Variables already in the environment win, so tests and CI can
 * override any setting.
 */
import fs from 'node:fs';
import path from 'node:path';

export function applyLocalSettings(appRoot: string, log: (line: string) => void): void {
  const file = path.join(appRoot, 'local.settings.json');
  const sample = path.join(appRoot, 'local.settings.sample.json');
  if (!fs.existsSync(file)) {
    if (!fs.existsSync(sample)) return;
    fs.copyFileSync(sample, file);
    log('Created local.settings.json from local.settings.sample.json');
  }
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { Values?: Record<string, unknown> };
  for (const [name, value] of Object.entries(parsed.Values ?? {})) {
    if (process.env[name] === undefined && typeof value === 'string') process.env[name] = value;
  }
}
