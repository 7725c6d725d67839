/**
 * Table Storage keys. Every key is derived from data we already hold, so the same customer or event always maps
 * to the same entity without a query, and each is built only from [0-9A-Za-z-] so none of the characters Table
 * Storage forbids (/ \ # ? and controls) can appear. See docs/storage.md.
 */
import { decodeTime } from 'ulid';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
// The first character holds the top 3 of the time's 48 bits, so past 7 the time overflows (decodeTime throws).
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** A ULID as the spec allows it: 26 upper-case Crockford characters whose time fits 48 bits. */
export function isUlid(text: string): boolean {
  return ULID.test(text);
}

/** Maps each ULID character to its complement, so ascending row-key order is newest-first. Self-inverse. */
export function invertUlid(id: string): string {
  let out = '';
  for (const ch of id) out += CROCKFORD[31 - CROCKFORD.indexOf(ch)];
  return out;
}

function yyyymm(date: Date): string {
  return `${date.getUTCFullYear()}${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** A lead's partition of LeadEvents holds its events, keyed by their ids (ULIDs), and its record under this key. */
export const RECORD_ROW = 'record';

/** Listing: partition by the month the record was created, row key newest-first. */
export function leadKeys(leadId: string): { partitionKey: string; rowKey: string } {
  if (!isUlid(leadId)) throw new Error('A lead id is a 26-character ULID');
  return { partitionKey: yyyymm(new Date(decodeTime(leadId))), rowKey: invertUlid(leadId) };
}

export function leadIdFromRowKey(rowKey: string): string {
  return invertUlid(rowKey);
}

/** Month partitions from `from` to `to` inclusive, newest first: how a time-ordered listing walks the table. */
export function monthPartitions(from: Date, to: Date): string[] {
  const out: string[] = [];
  const cursor = new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), 1));
  const stop = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1);
  while (cursor.getTime() >= stop) {
    out.push(yyyymm(cursor));
    cursor.setUTCMonth(cursor.getUTCMonth() - 1);
  }
  return out;
}

/** LeadKeys table: the identity hash spread over 256 partitions by its first two hex digits. */
export function identityKeys(identityHash: string): { partitionKey: string; rowKey: string } {
  return { partitionKey: identityHash.slice(0, 2), rowKey: identityHash };
}

/** `nurture`: the next touch of the record's cadence (followUp/cadence.ts), at most one entry per record. */
export type FollowUpKind = 'remind' | 'escalate' | 'nurture';

/** FollowUps table: partition = the UTC hour the entry falls due, so a run reads only partitions up to now. */
export function dueBucket(dueAt: Date): string {
  return dueAt.toISOString().slice(0, 13).replace(/[-T]/g, '');
}

export function followUpKeys(
  kind: FollowUpKind,
  leadId: string,
  dueAt: Date,
): { partitionKey: string; rowKey: string } {
  return { partitionKey: dueBucket(dueAt), rowKey: `${kind}-${leadId}` };
}
