/**
 * The search index's row keys (docs/storage.md "Search index"): what a listed record is found by, and which key
 * ranges a search reads. Every key sits in one partition, so a record's entries are written in one transaction.
 *
 *   name/company  `n-<hex of the folded text>-<inverted lead id>`   ("first last", last name, company)
 *   email         `e-<hex of the lower-cased address>-<inverted lead id>`
 *   status        `s-<status>-<inverted lead id>`
 *
 * The text is stored as the hex of its UTF-8 bytes: hex keeps every key inside the characters Table Storage allows
 * and keeps byte order, so "starts with" is a key range. Hex is an encoding, not a hash: the index holds personal
 * data like the listing does, and erasure removes it (a hash would make prefix search impossible).
 * The lookup rules are the list's `q` rules (leadFilter.ts matchesText); every hit is checked against the listed
 * record, so an entry the index still holds for an older version can never show a lead that no longer matches.
 */
import { foldName } from '../../record/identity';
import { invertUlid } from '../../record/keys';
import type { LeadRecord, LeadStatus } from '../../record/model';

/** The one partition of the index; a new layout would take a new one and be rebuilt beside it. */
export const SEARCH_PARTITION = 'v1';

// Longer texts are indexed by their first bytes; a longer query is looked up by the same bytes and the check decides.
const MAX_TEXT_BYTES = 48;

export type TextKind = 'n' | 'e';

function hexPrefix(text: string): string {
  return Buffer.from(text, 'utf8').subarray(0, MAX_TEXT_BYTES).toString('hex');
}

function textKey(kind: TextKind, text: string, leadId: string): string {
  return `${kind}-${hexPrefix(text)}-${invertUlid(leadId)}`;
}

export function statusKey(status: LeadStatus, invertedId: string): string {
  return `s-${status}-${invertedId}`;
}

/** A prefix of the first name is a prefix of "first last" once folded, so the first name needs no key of its own. */
function nameTexts(record: LeadRecord): string[] {
  const fullName = [record.firstName, record.lastName].filter((p) => p !== undefined).join(' ');
  return [fullName, record.lastName, record.company].map((value) => foldName(value)).filter((folded) => folded !== '');
}

/** Every row key that finds this record, without repeats (a first name may equal the company). */
export function searchKeys(record: LeadRecord): string[] {
  const keys = new Set<string>();
  for (const text of nameTexts(record)) keys.add(textKey('n', text, record.leadId));
  const email = record.email?.toLowerCase();
  if (email) keys.add(textKey('e', email, record.leadId));
  keys.add(statusKey(record.status, invertUlid(record.leadId)));
  return [...keys];
}

/** Row keys above `above` (or from `from`, inclusive) and below `below`. */
export type KeyRange = { from: string; below: string } | { above: string; below: string };

/**
 * The ranges that hold every record `q` finds: emails starting with it (lower-cased, not folded: "jan.k" must not
 * find "jan-k@…"), and unless it holds an `@`, names and companies starting with its folded form.
 */
export function textRanges(q: string): KeyRange[] {
  const ranges: KeyRange[] = [];
  const prefix = (kind: TextKind, text: string): KeyRange => {
    const from = `${kind}-${hexPrefix(text)}`;
    // Hex digits and the '-' before the id all sort below 'g'.
    return { from, below: `${from}g` };
  };
  const email = q.toLowerCase();
  if (email !== '') ranges.push(prefix('e', email));
  if (q.includes('@')) return ranges;
  const folded = foldName(q);
  if (folded !== '') ranges.push(prefix('n', folded));
  return ranges;
}

/** The status entries after `afterInvertedId` (newest first, as the listing is ordered). */
export function statusRange(status: LeadStatus, afterInvertedId: string | undefined): KeyRange {
  // '.' sorts right after '-', so `s-new.` is above every `s-new-…` key.
  const below = `s-${status}.`;
  return afterInvertedId === undefined
    ? { from: `s-${status}-`, below }
    : { above: statusKey(status, afterInvertedId), below };
}

/** The inverted lead id at the end of a row key (every key ends with one). */
export function invertedIdOf(rowKey: string): string {
  return rowKey.slice(rowKey.lastIndexOf('-') + 1);
}
