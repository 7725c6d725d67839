/**
 * The dashboard's browser code as the page inlines it: browser/dashboard.ts, compiled by `npm run build`
 * (tsconfig.browser.json) into the same folder of dist/ as this file. page.ts reads it once and keeps the page.
 */
import fs from 'node:fs';
import path from 'node:path';

const COMPILED = path.join(__dirname, 'browser', 'dashboard.js');

export function readDashboardScript(): string {
  try {
    return fs.readFileSync(COMPILED, 'utf8');
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new Error(`The dashboard's compiled script cannot be read (${reason}); \`npm run build\` writes it`, {
      cause: e,
    });
  }
}
