/**
 * What `func azure functionapp publish` puts in the package, decided the way Core Tools decides it, so a test can
 * check `.funcignore` without the Core Tools installed.
 *
 * Core Tools (src/Cli/func/Common/GitIgnoreParser.cs, a port of codemix/gitignore-parser) turns the non-negated
 * lines into one regex and the negated ones into another, each matched from the start of the path with a word
 * boundary after; a path is left out when the first matches and the second does not. Line order does not matter
 * and a pattern never matches in the middle of a path. FileSystemHelpers.GetLocalFiles also always leaves out the
 * folders .git and .vscode and the files .funcignore, .gitignore, local.settings.json and project.lock.json.
 */
import fs from 'node:fs';
import path from 'node:path';

const ALWAYS_SKIPPED_FOLDERS = new Set(['.git', '.vscode']);
const ALWAYS_SKIPPED_FILES = new Set(['.funcignore', '.gitignore', 'local.settings.json', 'project.lock.json']);

function toRegexSource(pattern: string): string {
  return pattern
    .replace(/[-[\]/{}()+?.\\^$|]/g, '\\$&')
    .replace(/\*\*/g, '(.+)')
    .replace(/\*/g, '([^\\/]+)');
}

function combined(patterns: string[]): RegExp {
  if (patterns.length === 0) return /$^/;
  return new RegExp(`^((${[...patterns].sort().map(toRegexSource).join(')|(')}))\\b`);
}

export interface FuncIgnore {
  /** True when Core Tools leaves the path (relative, `/`-separated) out of the package. */
  denies(relativePath: string): boolean;
}

export function parseFuncIgnore(content: string): FuncIgnore {
  const positive: string[] = [];
  const negative: string[] = [];
  for (const raw of content.split('\n')) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    if (negated) line = line.slice(1);
    if (line.startsWith('/')) line = line.slice(1);
    (negated ? negative : positive).push(line);
  }
  const deny = combined(positive);
  const allow = combined(negative);
  return { denies: (p) => !(allow.test(p) || !deny.test(p)) };
}

/** Every file Core Tools would zip from `root`, as sorted `/`-separated relative paths. Symbolic links are skipped. */
export function publishedFiles(root: string): string[] {
  const ignore = fs.existsSync(path.join(root, '.funcignore'))
    ? parseFuncIgnore(fs.readFileSync(path.join(root, '.funcignore'), 'utf8'))
    : { denies: () => false };
  const files: string[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!ALWAYS_SKIPPED_FOLDERS.has(entry.name)) walk(path.join(dir, entry.name), relative);
      } else if (entry.isFile()) {
        if (!ALWAYS_SKIPPED_FILES.has(entry.name) && !ignore.denies(relative)) files.push(relative);
      }
    }
  };
  walk(root, '');
  return files.sort();
}
