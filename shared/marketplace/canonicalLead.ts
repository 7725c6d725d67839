/**
 * Turns a parsed lead body into a CanonicalLead. Microsoft's key casing is not reliable (one FAQ writes
 * `userDetails`) and "not all the data is always available for each lead", so this accepts any object, keeps
 * everything it does not understand in `extra`, and never throws: the queue processor calls it on bodies
 * that were accepted hours ago and a throw there would turn a real lead into a poison message.
 */
import type { CanonicalLead, LeadUserDetails } from './types';

export type TopLevelField = 'userDetails' | 'leadSource' | 'actionCode' | 'offerTitle' | 'description';
type TopLevelStringField = Exclude<TopLevelField, 'userDetails'>;
export type UserDetailField = keyof LeadUserDetails;

/** Prefix for unknown UserDetails keys in `extra`, so they cannot be mistaken for top-level fields. */
export const USER_DETAILS_EXTRA_PREFIX = 'UserDetails.';

/**
 * Documented fields by case-folded key. Maps, not object literals, because a sender's key such as
 * `constructor` or `__proto__` would otherwise find a property of Object.prototype.
 */
export const TOP_LEVEL_FIELDS: ReadonlyMap<string, TopLevelField> = foldedNames([
  'userDetails',
  'leadSource',
  'actionCode',
  'offerTitle',
  'description',
]);

export const USER_DETAIL_FIELDS: ReadonlyMap<string, UserDetailField> = foldedNames([
  'firstName',
  'lastName',
  'email',
  'phone',
  'country',
  'company',
  'title',
]);

/** The field as Microsoft's documentation spells it (`UserDetails`, `FirstName`), for messages to senders. */
export function documentedName(field: TopLevelField | UserDetailField): string {
  return field.charAt(0).toUpperCase() + field.slice(1);
}

export interface KeyedValue {
  key: string;
  value: unknown;
}

export interface GroupedKeys<F extends string> {
  /** Every spelling of each documented field, in the sender's order; more than one is a duplicate. */
  documented: Map<F, KeyedValue[]>;
  unknown: KeyedValue[];
}

/**
 * Sorts an object's own keys into documented fields (matched case-insensitively) and unknown ones.
 * `null` values are dropped here, once, because senders use null to mean "no data" and a null next to a real
 * value under another casing is not a conflict.
 */
export function groupKeys<F extends string>(obj: object, fields: ReadonlyMap<string, F>): GroupedKeys<F> {
  const grouped: GroupedKeys<F> = { documented: new Map(), unknown: [] };
  for (const [key, value] of Object.entries(obj)) {
    if (value === null || value === undefined) continue;
    const field = fields.get(key.toLowerCase());
    if (field === undefined) {
      grouped.unknown.push({ key, value });
    } else {
      const spellings = grouped.documented.get(field) ?? [];
      // A field sent under two casings is still a lead: the first non-blank spelling wins, so order them first.
      const firstBlank = spellings.findIndex((s) => s.value === '');
      if (value !== '' && firstBlank >= 0) spellings.splice(firstBlank, 0, { key, value });
      else spellings.push({ key, value });
      grouped.documented.set(field, spellings);
    }
  }
  return grouped;
}

/** True for a JSON object; arrays are objects to `typeof` but never a lead or a UserDetails. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function canonicalLead(payload: Record<string, unknown>): CanonicalLead {
  const lead: CanonicalLead = { userDetails: {}, extra: {}, recognised: false };
  // The type says object, but the queue processor may hand over whatever JSON.parse produced.
  if (!isJsonObject(payload)) return lead;

  const { documented, unknown } = groupKeys(payload, TOP_LEVEL_FIELDS);
  for (const { key, value } of unknown) keepExtra(lead, key, value);
  for (const [field, spellings] of documented) {
    const [first, ...duplicates] = spellings;
    // The first spelling wins; the others are kept, not dropped, in case a human needs them.
    for (const { key, value } of duplicates) keepExtra(lead, key, value);
    if (first === undefined) continue;
    if (field === 'userDetails') applyUserDetails(lead, first);
    else applyTopLevelString(lead, field, first);
  }
  return lead;
}

function applyUserDetails(lead: CanonicalLead, { key, value }: KeyedValue): void {
  if (!isJsonObject(value)) {
    keepExtra(lead, key, value);
    return;
  }
  const { documented, unknown } = groupKeys(value, USER_DETAIL_FIELDS);
  for (const item of unknown) keepExtra(lead, USER_DETAILS_EXTRA_PREFIX + item.key, item.value);
  for (const [field, spellings] of documented) {
    const [first, ...duplicates] = spellings;
    for (const item of duplicates) keepExtra(lead, USER_DETAILS_EXTRA_PREFIX + item.key, item.value);
    if (first === undefined) continue;
    const text = leafString(first.value);
    if (text === undefined) {
      keepExtra(lead, USER_DETAILS_EXTRA_PREFIX + first.key, first.value);
    } else {
      lead.userDetails[field] = text;
      lead.recognised = true;
    }
  }
}

function applyTopLevelString(lead: CanonicalLead, field: TopLevelStringField, { key, value }: KeyedValue): void {
  const text = field === 'description' ? descriptionString(value) : leafString(value);
  if (text === undefined) {
    keepExtra(lead, key, value);
  } else {
    lead[field] = text;
    lead.recognised = true;
  }
}

/**
 * Every documented leaf is a string, but some senders' serialisers emit numbers and booleans (a phone as a
 * number is still a phone). Strings are kept verbatim, untrimmed: normalising is the matcher's job and the
 * raw text is evidence.
 */
function leafString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

/**
 * A public receiver reports Description arriving as an object of campaign parameters (`mktcmpid`,
 * `partnerid`); sales still want to read it, so it becomes its JSON text rather than disappearing into extra.
 */
function descriptionString(value: unknown): string | undefined {
  const text = leafString(value);
  if (text !== undefined || typeof value !== 'object') return text;
  try {
    return JSON.stringify(value);
  } catch {
    // Only hand-built objects (cycles, BigInt) get here; keeping them in extra is better than throwing.
    return undefined;
  }
}

/**
 * defineProperty rather than assignment: a sender's `__proto__` key must become an ordinary entry, not
 * replace the prototype of `extra`. The first value under a key wins so nothing already kept is overwritten.
 */
function keepExtra(lead: CanonicalLead, key: string, value: unknown): void {
  if (Object.prototype.hasOwnProperty.call(lead.extra, key)) return;
  Object.defineProperty(lead.extra, key, { value, enumerable: true, writable: true, configurable: true });
}

function foldedNames<F extends string>(names: readonly F[]): ReadonlyMap<string, F> {
  return new Map(names.map((name) => [name.toLowerCase(), name]));
}
