/**
 * The search index's keys (docs/storage.md "Search index"): what a listed record is found by, and which key ranges a
 * search reads.
 *
 *   name/company  partition `n-<hex of the first 2 bytes>`  row `n-<hex of the folded text>-<inverted lead id>`
 *                 ("first last", last name, company)
 *   email         partition `e-<hex of the first 2 bytes>`  row `e-<hex of the lower-cased address>-<inverted id>`
 *   status        partition `s-<status>-<yyyymm of the id>` row `s-<status>-<inverted lead id>`
 *
 * The text is stored as the hex of its UTF-8 bytes: hex keeps every key inside the characters Table Storage allows
 * and keeps byte order, so "starts with" is a key range. Hex is an encoding, not a hash: the index holds personal
 * data like the listing does, and erasure removes it (a hash would make prefix search impossible).
 * Partitions are small on purpose: Table Storage serves a range from any partition, but Azurite finds a row by
 * scanning its partition, so one big partition would make every local write slower as the index grows.
 * The lookup rules are the list's `q` rules (leadFilter.ts matchesText); every hit is checked against the listed
 * record, so a row the index still holds for an older version never shows a lead that no longer matches.
 */
import { foldName } from '../../record/identity';
import { invertUlid, leadKeys } from '../../record/keys';
import type { LeadRecord, LeadStatus } from '../../record/model';

export interface SearchKey {
  partitionKey: string;
  rowKey: string;
}

/** Rows of partitions `equal` or in [`from`, `below`), with row keys from `from` (or above `above`) below `below`. */
export interface KeyRange {
  partition: { equal: string } | { from: string; below: string };
  rows: { from: string; below: string } | { above: string; below: string };
}

// Longer texts are indexed by their first bytes; a longer query is looked up by the same bytes and the check decides.
const MAX_TEXT_BYTES = 48;
// The partition holds the text's first 2 bytes (4 hex digits).
const PARTITION_HEX = 4;

type TextKind = 'n' | 'e';

function hexPrefix(text: string): string {
  return Buffer.from(text, 'utf8').subarray(0, MAX_TEXT_BYTES).toString('hex');
}

function textKey(kind: TextKind, text: string, leadId: string): SearchKey {
  const hex = hexPrefix(text);
  return { partitionKey: `${kind}-${hex.slice(0, PARTITION_HEX)}`, rowKey: `${kind}-${hex}-${invertUlid(leadId)}` };
}

export const STATUS_PREFIX = 's-';

export function statusKey(status: LeadStatus, leadId: string): SearchKey {
  return {
    partitionKey: `${STATUS_PREFIX}${status}-${leadKeys(leadId).partitionKey}`,
    rowKey: `${STATUS_PREFIX}${status}-${invertUlid(leadId)}`,
  };
}

/** A prefix of the first name is a prefix of "first last" once folded, so the first name needs no key of its own. */
function nameTexts(record: LeadRecord): string[] {
  const fullName = [record.firstName, record.lastName].filter((p) => p !== undefined).join(' ');
  return [fullName, record.lastName, record.company].map((value) => foldName(value)).filter((folded) => folded !== '');
}

/** Every key that finds this record, without repeats (a last name may equal the company). */
export function searchKeys(record: LeadRecord): SearchKey[] {
  const keys = new Map<string, SearchKey>();
  const add = (key: SearchKey): void => void keys.set(key.rowKey, key);
  for (const text of nameTexts(record)) add(textKey('n', text, record.leadId));
  const email = record.email?.toLowerCase();
  if (email) add(textKey('e', email, record.leadId));
  add(statusKey(record.status, record.leadId));
  return [...keys.values()];
}

function prefixRange(kind: TextKind, text: string): KeyRange {
  const hex = hexPrefix(text);
  const from = `${kind}-${hex}`;
  // Hex digits and the '-' before the id all sort below 'g'.
  const rows = { from, below: `${from}g` };
  if (hex.length >= PARTITION_HEX) return { partition: { equal: `${kind}-${hex.slice(0, PARTITION_HEX)}` }, rows };
  // A one-byte text: every partition that starts with it.
  return { partition: { from, below: `${from}g` }, rows };
}

/**
 * The ranges that hold every record `q` finds: emails starting with it (lower-cased, not folded: "jan.k" must not
 * find "jan-k@…"), and unless it holds an `@`, names and companies starting with its folded form.
 */
export function textRanges(q: string): KeyRange[] {
  const ranges: KeyRange[] = [];
  const email = q.toLowerCase();
  if (email !== '') ranges.push(prefixRange('e', email));
  if (q.includes('@')) return ranges;
  const folded = foldName(q);
  if (folded !== '') ranges.push(prefixRange('n', folded));
  return ranges;
}

/** A month's entries of a status after `afterInvertedId` (newest first, as the listing is ordered). */
export function statusRange(status: LeadStatus, month: string, afterInvertedId: string | undefined): KeyRange {
  const partition = { equal: `s-${status}-${month}` };
  // '.' sorts right after '-', so `s-new.` is above every `s-new-…` key.
  const below = `s-${status}.`;
  return afterInvertedId === undefined
    ? { partition, rows: { from: `s-${status}-`, below } }
    : { partition, rows: { above: `s-${status}-${afterInvertedId}`, below } };
}

/** The inverted lead id at the end of a row key (every key ends with one). */
export function invertedIdOf(rowKey: string): string {
  return rowKey.slice(rowKey.lastIndexOf('-') + 1);
}
