/**
 * The pieces every JSON body of the sales API is read with: the size limit, JSON and an object, and optional text
 * fields cleaned as lead text is. Each adds FieldProblems (shared/http/problems.ts) so a caller learns every problem
 * at once.
 */
import type { FieldProblem } from '../http/problems';
import { cleanMultilineText, cleanText } from '../marketplace/normalise';

/** The body as an object, or the one problem that stops reading it (too big, not JSON, not an object). */
export function jsonObjectBody(
  text: string,
  maxBytes: number,
  expected: string,
): { ok: true; body: Record<string, unknown> } | { ok: false; problem: FieldProblem } {
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    return {
      ok: false,
      problem: { field: 'body', rule: 'maxBytes', message: `the body must be at most ${maxBytes} bytes` },
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {
      ok: false,
      problem: { field: 'body', rule: 'json', message: `the body is not JSON: expected ${expected}` },
    };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return {
      ok: false,
      problem: { field: 'body', rule: 'type', message: `the body must be a JSON object: ${expected}` },
    };
  }
  return { ok: true, body: parsed as Record<string, unknown> };
}

/**
 * An optional string field of at most `max` characters, cleaned (a multi-line field keeps its line breaks). Absent,
 * null or blank is undefined. `field` is the name problems carry (a nested field reads `answers.budget.note`).
 */
export function optionalText(
  value: unknown,
  field: string,
  max: number,
  problems: FieldProblem[],
  multiline = false,
): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    problems.push({ field, rule: 'type', message: `${field} must be a string` });
    return undefined;
  }
  // Code points, not UTF-16 units, so an emoji counts as one character as a person would count it.
  if ([...value].length > max) {
    problems.push({ field, rule: 'maxLength', message: `${field} must be at most ${max} characters` });
  }
  return multiline ? cleanMultilineText(value, max) : cleanText(value, max);
}

/** A field that must be one of a closed set; its problem lists the set. */
export function enumField<T extends string>(
  value: unknown,
  field: string,
  allowed: readonly T[],
  problems: FieldProblem[],
): T | undefined {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  problems.push({ field, rule: 'enum', message: `${field} must be one of ${allowed.join(', ')}`, allowed });
  return undefined;
}
