/**
 * Decides whether an HTTP body can be a marketplace lead. A rejected real lead is a lost sale and Microsoft
 * documents no retries, so this rejects only what cannot be a lead: bodies too large to be one, bodies that are
 * not a JSON object, and documented fields holding structures where text belongs. Everything else, including
 * objects with no documented field at all, is accepted and left for operators to look at.
 */
import Ajv, { type ErrorObject, type SchemaObject } from 'ajv';

import type { FieldProblem } from '../http/problems';
import {
  canonicalLead,
  documentedName,
  groupKeys,
  isJsonObject,
  TOP_LEVEL_FIELDS,
  USER_DETAIL_FIELDS,
} from '../marketplace/canonicalLead';
import type { CanonicalLead } from '../marketplace/types';

export type LeadBodyResult =
  { ok: true; text: string; lead: CanonicalLead } | { ok: false; status: 400 | 413; problems: FieldProblem[] };

/** A documented lead is well under 2 KiB; 32 KiB leaves room for long descriptions and unknown fields. */
export const MAX_BODY_BYTES = 32 * 1024;
/** Limits are generous on purpose: they exist to stop abuse, not to police what a customer typed. */
export const MAX_SHORT_FIELD_CHARS = 1024;
export const MAX_DESCRIPTION_CHARS = 16 * 1024;
/** Unknown fields are kept verbatim; deeper nesting than this is not data anyone sends by accident. */
export const MAX_UNKNOWN_DEPTH = 8;

/** `field` of problems about the body as a whole rather than one of its fields. */
export const BODY_FIELD = 'body';
/** Unknown keys are the sender's text; a huge one must not bloat logs or the response. */
const MAX_FIELD_NAME_CHARS = 128;

type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

// fatal: a body that is not UTF-8 would otherwise be silently mangled with U+FFFD. The default ignoreBOM=false
// strips a leading BOM, which some senders' encoders add and JSON.parse rejects.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * strict: a typo in the schema fails at compile time instead of silently accepting everything. strictTypes is off
 * because maxDepth deliberately applies to values of any type (unknown fields may be anything). The app compiles
 * without the meta-schema (meta and validateSchema off in compileSchema): that halves the compile time the first lead after a
 * cold start waits for, and a unit test checks the schema against the meta-schema instead.
 */
export const LEAD_SCHEMA_OPTIONS = { strict: true, strictTypes: false, allowUnionTypes: true } as const;

// Compiled once, at module load (on the first lead: function handlers load on first use, shared/lazyHandler.ts):
// compiling generates code and costs far more than validating.
const validateView: Validate = compileSchema();

export function validateLeadBody(body: Uint8Array | Buffer): LeadBodyResult {
  if (body.byteLength > MAX_BODY_BYTES) {
    return reject(413, bodyProblem('maxBytes', `The request body must be at most ${MAX_BODY_BYTES} bytes`));
  }
  const text = decodeUtf8(body);
  if (text === undefined) return reject(400, bodyProblem('utf8', 'The request body must be UTF-8 encoded text'));
  if (/^[ \t\r\n]*$/.test(text)) {
    return reject(400, bodyProblem('empty', 'The request body is empty; a lead must be a JSON object'));
  }
  const parsed = parseJson(text);
  if (!parsed.ok) return reject(400, bodyProblem('json', 'The request body must be valid JSON'));
  if (!isJsonObject(parsed.value)) {
    const kind = jsonKind(parsed.value);
    return reject(400, bodyProblem('type', `The request body must be a JSON object, not ${kind}`));
  }
  const problems = validateObject(parsed.value);
  if (problems.length > 0) return { ok: false, status: 400, problems };
  return { ok: true, text, lead: canonicalLead(parsed.value) };
}

function validateObject(root: Record<string, unknown>): FieldProblem[] {
  return validateView(documentedView(root)) ? [] : (validateView.errors ?? []).map(toProblem);
}

/**
 * A copy of the body with documented keys in documented casing, so one schema covers `Email`, `email` and
 * `EMAIL` and errors name the field the way Microsoft's documentation does. A field under two spellings is
 * accepted: the first non-blank one is validated (see firstSpelling).
 */
function documentedView(root: Record<string, unknown>): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  const { documented, unknown } = groupKeys(root, TOP_LEVEL_FIELDS);
  for (const { key, value } of unknown) setOwn(view, key, value);
  for (const [field, spellings] of documented) {
    const first = firstSpelling(spellings);
    if (first === undefined) continue;
    setOwn(
      view,
      documentedName(field),
      field === 'userDetails' && isJsonObject(first) ? userDetailsView(first) : first,
    );
  }
  return view;
}

function userDetailsView(userDetails: Record<string, unknown>): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  const { documented, unknown } = groupKeys(userDetails, USER_DETAIL_FIELDS);
  for (const { key, value } of unknown) setOwn(view, key, value);
  for (const [field, spellings] of documented) {
    const first = firstSpelling(spellings);
    if (first !== undefined) setOwn(view, documentedName(field), first);
  }
  return view;
}

/**
 * The same documented field under two casings (`Email` and `email`) is still a lead: rejecting it would lose a
 * sale Microsoft will not resend. groupKeys orders the first non-blank spelling first; that one is validated, and
 * canonicalLead keeps the others in `extra`, where an operator can see them.
 */
function firstSpelling(spellings: ReadonlyArray<{ value: unknown }>): unknown {
  return spellings[0]?.value;
}

function compileSchema(): Validate {
  const ajv = new Ajv({ ...LEAD_SCHEMA_OPTIONS, allErrors: true, meta: false, validateSchema: false });
  addMaxDepth(ajv);
  return ajv.compile(leadSchema());
}

export function addMaxDepth(ajv: Ajv): void {
  ajv.addKeyword({
    // No `type` restriction: unknown fields may be anything, and exceedsDepth passes every scalar.
    keyword: 'maxDepth',
    schemaType: 'number',
    validate: (limit: number, data: unknown) => !exceedsDepth(data, limit),
  });
}

/**
 * The documented schema (every leaf a string, no `required`) loosened where real senders differ: numbers and
 * booleans are accepted as text, and Description may be a structure (see canonicalLead). Keys arrive already
 * in documented casing (see documentedView).
 */
export function leadSchema(): SchemaObject {
  const shortText = { type: ['string', 'number', 'boolean'], maxLength: MAX_SHORT_FIELD_CHARS };
  const unknownField = { maxDepth: MAX_UNKNOWN_DEPTH };
  const userDetailProperties = Object.fromEntries(
    [...USER_DETAIL_FIELDS.values()].map((field) => [documentedName(field), shortText]),
  );
  return {
    type: 'object',
    properties: {
      UserDetails: { type: 'object', properties: userDetailProperties, additionalProperties: unknownField },
      LeadSource: shortText,
      ActionCode: shortText,
      OfferTitle: shortText,
      Description: {
        type: ['string', 'number', 'boolean', 'object', 'array'],
        maxLength: MAX_DESCRIPTION_CHARS,
        maxDepth: MAX_UNKNOWN_DEPTH,
      },
    },
    additionalProperties: unknownField,
  };
}

/** Stops descending once the limit is passed, so a hostile 10,000-deep body costs no more than a 9-deep one. */
function exceedsDepth(value: unknown, remaining: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (remaining === 0) return true;
  const children: unknown[] = Array.isArray(value) ? value : Object.values(value);
  return children.some((child) => exceedsDepth(child, remaining - 1));
}

/** Messages name the field and the limit but never the value: it may be a customer's personal data. */
function toProblem(error: ErrorObject): FieldProblem {
  const field = fieldName(error.instancePath);
  switch (error.keyword) {
    case 'maxLength': {
      const limit: unknown = error.params['limit'];
      return { field, rule: 'maxLength', message: `${field} must be a string of at most ${String(limit)} characters` };
    }
    case 'type': {
      const expected: unknown = error.params['type'];
      const message =
        expected === 'object'
          ? `${field} must be an object`
          : `${field} must be a string (a number or true/false is also accepted), not an object or array`;
      return { field, rule: 'type', message };
    }
    case 'maxDepth':
      return {
        field,
        rule: 'maxDepth',
        message: `${field} must not be nested more than ${MAX_UNKNOWN_DEPTH} levels deep`,
      };
    default:
      return { field, rule: error.keyword, message: `${field} is not valid (${error.keyword})` };
  }
}

/** `/UserDetails/Email` → `UserDetails.Email`, undoing JSON Pointer escapes so unknown keys read as sent. */
function fieldName(instancePath: string): string {
  if (instancePath === '') return BODY_FIELD;
  const name = instancePath
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
  return name.length > MAX_FIELD_NAME_CHARS ? `${name.slice(0, MAX_FIELD_NAME_CHARS)}…` : name;
}

function decodeUtf8(body: Uint8Array): string | undefined {
  try {
    return utf8.decode(body);
  } catch {
    return undefined;
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    // JSON.parse's message quotes the body, which may hold personal data: report only that it failed.
    return { ok: false };
  }
}

function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function bodyProblem(rule: string, message: string): FieldProblem {
  return { field: BODY_FIELD, rule, message };
}

function reject(status: 400 | 413, problem: FieldProblem): LeadBodyResult {
  return { ok: false, status, problems: [problem] };
}

/** Assignment would turn a sender's `__proto__` key into a prototype change instead of a field to validate. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
