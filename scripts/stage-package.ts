/**
 * `npm run stage`: the deployable package in publish/, the same for `azd deploy` (azure.yaml points at it) and
 * `func azure functionapp publish` (run from publish/): a clean build of the app (dist/), then what .funcignore
 * lets Core Tools upload (scripts/funcignore.ts), with node_modules cut down to the production dependencies that
 * package-lock.json records, i.e. what `npm ci --omit=dev` installs, taken from the local node_modules.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { publishedFiles } from './funcignore';

interface LockFile {
  packages: Record<string, { dev?: boolean; link?: boolean }>;
}

/** `node_modules/...` folders of the packages a production install has (not `dev` in the lock). */
export function productionPackages(root: string): Set<string> {
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as LockFile;
  return new Set(
    Object.entries(lock.packages)
      .filter(([folder, entry]) => folder.startsWith('node_modules/') && entry.dev !== true && entry.link !== true)
      .map(([folder]) => folder),
  );
}

/** The package folder a file under node_modules belongs to: the longest `node_modules/<name>` prefix. */
function owningPackage(file: string): string | undefined {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(file);
  return match?.[1];
}

/** The files of the package: what Core Tools would upload from `root`, minus dev-only dependencies. */
export function packageFiles(root: string): string[] {
  const production = productionPackages(root);
  return publishedFiles(root).filter((file) => {
    if (!file.startsWith('node_modules/')) return true;
    const owner = owningPackage(file);
    return owner !== undefined && production.has(owner);
  });
}

/**
 * Copies the package files from `root` to `outDir` (emptied first). `link` hard-links instead of copying where
 * the file system allows, which tests use to stage quickly.
 */
export function stagePackage(root: string, outDir: string, options: { link?: boolean } = {}): string[] {
  const files = packageFiles(root);
  fs.rmSync(outDir, { recursive: true, force: true });
  for (const file of files) {
    const target = path.join(outDir, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const source = path.join(root, file);
    if (options.link) {
      try {
        fs.linkSync(source, target);
        continue;
      } catch {
        // Another file system (EXDEV) or no hard links: copy instead.
      }
    }
    fs.copyFileSync(source, target);
  }
  return files;
}

function cleanBuild(root: string): void {
  // A fresh dist/: files left from deleted sources would otherwise ship.
  fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  const tsc = require.resolve('typescript/lib/tsc.js', { paths: [root] });
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.app.json'], { cwd: root, stdio: 'inherit' });
}

if (require.main === module) {
  // build/scripts/stage-package.js → the repository root two levels up.
  const root = path.resolve(__dirname, '..', '..');
  const outDir = path.join(root, 'publish');
  cleanBuild(root);
  const files = stagePackage(root, outDir);
  const modules = new Set(files.map(owningPackage).filter((p) => p !== undefined)).size;
  console.log(`Staged ${files.length} files (${modules} production packages) in ${path.relative(root, outDir)}/`);
  console.log('Deploy with `azd deploy`, or: cd publish && func azure functionapp publish <app-name>');
}
