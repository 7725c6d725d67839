/**
 * What ships to Azure, checked without Azure: the files `func azure functionapp publish` would upload (decided by
 * .funcignore under Core Tools' own matching rules, scripts/funcignore.ts), the package `npm run stage` builds from
 * them for azd and func alike, and that the app loads from that package alone and registers exactly the functions
 * in the snapshot: names, triggers, routes, methods, authLevel, queue, connection and schedule. A change to any of
 * them shows up as a snapshot diff to review (`npx jest -u` accepts it).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { publishedFiles } from '../../scripts/funcignore';
import { productionPackages, stagePackage } from '../../scripts/stage-package';

const root = path.resolve(__dirname, '..', '..');
const listRegistrations = path.join(root, 'build', 'tests', 'support', 'listRegistrations.js');
let staged: string;
let stagedFiles: string[];

beforeAll(() => {
  if (!fs.existsSync(path.join(root, 'dist', 'index.js')) || !fs.existsSync(listRegistrations)) {
    throw new Error('Build first: npm run build && npm run build:tools');
  }
  // Outside the repository, so nothing can resolve from the development node_modules above it.
  staged = fs.mkdtempSync(path.join(os.tmpdir(), 'published-package-'));
  stagedFiles = stagePackage(root, staged, { link: true });
}, 120_000);

afterAll(() => {
  fs.rmSync(staged, { recursive: true, force: true });
});

function appSources(): string[] {
  const sources: string[] = ['index.ts'];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(relative);
      else if (entry.name.endsWith('.ts')) sources.push(relative);
    }
  };
  walk('functions');
  walk('shared');
  return sources;
}

describe('the published package', () => {
  test('Core Tools would upload the compiled app, host.json, package.json and node_modules, and nothing else', () => {
    const files = publishedFiles(root);
    expect(new Set(files.map((f) => f.split('/')[0]))).toEqual(
      new Set(['dist', 'host.json', 'node_modules', 'package.json']),
    );
    const app = files.filter((f) => !f.startsWith('node_modules/'));
    expect(app.filter((f) => f.endsWith('.map') || f.endsWith('.ts'))).toEqual([]);
    // dist/ holds the app alone (tsconfig.app.json): no tests, tools or local host compiled into it.
    expect(new Set(app.filter((f) => f.startsWith('dist/')).map((f) => f.split('/')[1]))).toEqual(
      new Set(['functions', 'index.js', 'shared']),
    );
    for (const source of appSources()) expect(app).toContain(`dist/${source.replace(/\.ts$/, '.js')}`);
  });

  test('node_modules holds exactly the production dependencies of package-lock.json', () => {
    const owners = new Set(
      stagedFiles
        .filter((f) => f.startsWith('node_modules/'))
        .map((f) => /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1]),
    );
    expect(owners).toEqual(productionPackages(root));
    for (const dev of ['jest', 'azurite', 'typescript', 'playwright-core', 'smtp-server']) {
      expect(owners.has(`node_modules/${dev}`)).toBe(false);
    }
  });

  test('the app loads from the package alone and registers the functions in the snapshot', () => {
    // Nothing above the staged folder may offer modules: resolution would fall back to it.
    for (let dir = path.dirname(staged); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      expect(fs.existsSync(path.join(dir, 'node_modules'))).toBe(false);
    }
    const sample = (
      JSON.parse(fs.readFileSync(path.join(root, 'local.settings.sample.json'), 'utf8')) as {
        Values: Record<string, string>;
      }
    ).Values;
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, ...sample };
    const result = spawnSync(process.execPath, [listRegistrations, staged], { env, encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) throw new Error(`The staged app did not load:\n${result.stderr}`);
    const registrations = JSON.parse(result.stdout) as Array<{ name: string }>;
    expect(registrations.length).toBeGreaterThan(0);
    expect(registrations).toMatchSnapshot();
  });
});
