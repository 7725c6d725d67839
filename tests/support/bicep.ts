/**
 * A structural reader for the project's Bicep files, for checks that need no Bicep compiler: it separates code
 * from strings and comments (keeping `${...}` interpolations as code), reports what does not close, and finds
 * declarations, `{...}` blocks and their top-level keys. It does not type-check; it is as much as a test can
 * know without `bicep build`.
 */

export interface Scanned {
  /** The text with string literals and comments blanked (same length and lines), interpolations kept. */
  code: string;
  /** The text with comments blanked only. */
  withStrings: string;
  /** Comment texts with their 1-based line. */
  comments: Array<{ line: number; text: string }>;
  /** Unbalanced brackets, unclosed strings or comments, with their line. */
  problems: string[];
}

const PAIRS: Record<string, string> = { '}': '{', ']': '[', ')': '(' };

export function scan(text: string): Scanned {
  const code = text.split('');
  const withStrings = text.split('');
  const comments: Scanned['comments'] = [];
  const problems: string[] = [];
  const lineAt = (i: number): number => text.slice(0, i).split('\n').length;
  const blank = (target: string[], from: number, to: number): void => {
    for (let k = from; k < to; k++) if (target[k] !== '\n') target[k] = ' ';
  };
  // Brackets opened in code; a '$' marker is an interpolation inside a string, closed by '}'.
  const stack: Array<{ char: string; at: number }> = [];
  let i = 0;
  let inString = false;
  let stringStart = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (inString) {
      if (c === '\\') {
        blank(code, i, i + 2);
        i += 2;
      } else if (c === "'") {
        blank(code, i, i + 1);
        inString = false;
        i++;
      } else if (c === '$' && text[i + 1] === '{') {
        stack.push({ char: '$', at: i });
        inString = false;
        i += 2;
      } else {
        blank(code, i, i + 1);
        i++;
      }
      continue;
    }
    if (text.startsWith("'''", i)) {
      const end = text.indexOf("'''", i + 3);
      if (end < 0) {
        problems.push(`line ${lineAt(i)}: multi-line string never closed`);
        break;
      }
      blank(code, i, end + 3);
      i = end + 3;
    } else if (c === "'") {
      blank(code, i, i + 1);
      inString = true;
      stringStart = i;
      i++;
    } else if (text.startsWith('//', i)) {
      const end = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i);
      comments.push({ line: lineAt(i), text: text.slice(i + 2, end).trim() });
      blank(code, i, end);
      blank(withStrings, i, end);
      i = end;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) {
        problems.push(`line ${lineAt(i)}: comment never closed`);
        break;
      }
      comments.push({ line: lineAt(i), text: text.slice(i + 2, end).trim() });
      blank(code, i, end + 2);
      blank(withStrings, i, end + 2);
      i = end + 2;
    } else if (c === '{' || c === '[' || c === '(') {
      stack.push({ char: c, at: i });
      i++;
    } else if (c === '}' || c === ']' || c === ')') {
      const open = stack.pop();
      if (open?.char === '$' && c === '}') {
        // The end of an interpolation: back inside the string.
        inString = true;
      } else if (open?.char !== PAIRS[c]) {
        problems.push(
          `line ${lineAt(i)}: '${c}' closes ${open ? `'${open.char}' from line ${lineAt(open.at)}` : 'nothing'}`,
        );
      }
      i++;
    } else {
      i++;
    }
  }
  if (inString) problems.push(`line ${lineAt(stringStart)}: string never closed`);
  for (const open of stack)
    problems.push(`line ${lineAt(open.at)}: '${open.char === '$' ? '${' : open.char}' never closed`);
  return { code: code.join(''), withStrings: withStrings.join(''), comments, problems };
}

export type DeclarationKind = 'param' | 'var' | 'resource' | 'module' | 'output';

export interface Declaration {
  kind: DeclarationKind;
  name: string;
  /** Offset of the keyword in the text. */
  at: number;
  /** For resources and modules: the quoted type@version or path. */
  target?: string;
}

export function declarations(scanned: Scanned): Declaration[] {
  const found: Declaration[] = [];
  const pattern = /^[ \t]*(param|var|resource|module|output)[ \t]+([A-Za-z_]\w*)/gm;
  for (const match of scanned.code.matchAll(pattern)) {
    const at = match.index ?? 0;
    const kind = match[1] as DeclarationKind;
    const rest = scanned.withStrings.slice(at, scanned.withStrings.indexOf('\n', at));
    const target = kind === 'resource' || kind === 'module' ? /'([^']+)'/.exec(rest)?.[1] : undefined;
    found.push({ kind, name: match[2] ?? '', at, target });
  }
  return found;
}

/** The `{...}` block opening at the first `{` at or after `from` in the code, braces included. */
export function blockAt(scanned: Scanned, from: number): { start: number; end: number; code: string } {
  const start = scanned.code.indexOf('{', from);
  if (start < 0) throw new Error(`no block after offset ${from}`);
  let depth = 0;
  for (let i = start; i < scanned.code.length; i++) {
    const c = scanned.code[i];
    if (c === '{') depth++;
    if (c === '}' && --depth === 0) return { start, end: i + 1, code: scanned.code.slice(start, i + 1) };
  }
  throw new Error(`block at offset ${start} never closes`);
}

/** Keys (identifiers) of an object literal's top level: `{ a: 1, b: { c: 2 } }` → a, b. */
export function topLevelKeys(block: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < block.length; i++) {
    const c = block[i] ?? '';
    if (c === '{' || c === '[' || c === '(') depth++;
    else if (c === '}' || c === ']' || c === ')') depth--;
    else if (depth === 1 && /[A-Za-z_]/.test(c) && !/[\w.]/.test(block[i - 1] ?? '')) {
      const match = /^([A-Za-z_]\w*)\s*:/.exec(block.slice(i));
      if (match?.[1] !== undefined) keys.push(match[1]);
      const word = /^\w+/.exec(block.slice(i))?.[0] ?? '';
      i += word.length - 1;
    }
  }
  return keys;
}

/** Whether `name` occurs as an identifier in the code outside [from, to). */
export function usedOutside(scanned: Scanned, name: string, from: number, to: number): boolean {
  const pattern = new RegExp(`(?<![\\w.])${name}(?!\\w)`, 'g');
  for (const match of scanned.code.matchAll(pattern)) {
    const at = match.index ?? 0;
    if (at < from || at >= to) return true;
  }
  return false;
}
