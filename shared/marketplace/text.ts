/**
 * Cleaning the text a lead carries, on its own so that settings and pages can clean text without loading the
 * country and phone-number data normalise.ts needs.
 */
/** Table Storage allows far more, but nobody reads a 10 kB first name; the marker shows it was cut. */
export const MAX_FIELD_LENGTH = 256;
export const TRUNCATION_MARKER = '…';

// C0/C1 controls, lone surrogates (half an emoji: not text, and storage may refuse them), plus invisible characters
// that break matching or spoof display (zero-width space, BOM, bidi overrides). ZWJ/ZWNJ are kept: some scripts
// need them inside names. With the u flag a well-formed surrogate pair is one code point, so \p{Cs} is a lone half.
const INVISIBLE = /[\p{Cc}\p{Cs}\u200B\u2028\u2029\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/gu;
// Removed before NFC too, which should not see half a character.
const LONE_SURROGATES = /\p{Cs}/gu;
const LINE_BREAKS = /\r\n?|[\n\v\f\u0085\u2028\u2029]/g;

/**
 * Trims, removes control and invisible characters, collapses inner whitespace, NFC-normalises (so a name typed
 * with combining accents equals the precomposed one) and cuts over-long values at `maxLength` code points. Every
 * text the app stores from a lead goes through this (or cleanMultilineText). Empty results become undefined.
 */
export function cleanText(value: string | undefined, maxLength = MAX_FIELD_LENGTH): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = cleanLine(value.replace(LONE_SURROGATES, '').normalize('NFC'));
  if (text === '') return undefined;
  return truncate(text, maxLength);
}

/** cleanText for free text such as a description: the same, but line breaks are kept (as \n, at most one blank line). */
export function cleanMultilineText(value: string | undefined, maxLength: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value
    .replace(LONE_SURROGATES, '')
    .normalize('NFC')
    .replace(LINE_BREAKS, '\n')
    .split('\n')
    .map(cleanLine)
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (text === '') return undefined;
  return truncate(text, maxLength);
}

function cleanLine(line: string): string {
  // Whitespace controls (tab, newline) separate words, so they become spaces; the rest are dropped outright.
  return line.replace(/\s/g, ' ').replace(INVISIBLE, '').replace(/ {2,}/g, ' ').trim();
}

/** Cuts at `maxLength` code points, never inside a surrogate pair, ending with a marker that shows the cut. */
export function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const points = Array.from(text);
  if (points.length <= maxLength) return text;
  return (
    points
      .slice(0, maxLength - 1)
      .join('')
      .trimEnd() + TRUNCATION_MARKER
  );
}
