/**
 * The decisions a counter shard counts (counters.ts): how many of its records are qualified and disqualified, and
 * the disqualified ones by reason. Pure; the qualification figures of `GET /api/stats` are read from these.
 */
import type { LeadRecord } from '../record/model';

/**
 * Reasons a shard keeps under their own name. Reasons come from DISQUALIFY_REASONS (at most 30, each at most 100
 * characters), so 100 leave room for changes of the setting while the shard's `decisions` property stays under a
 * table property's 32K UTF-16 units (each reason at most about 210 units as JSON). Past them: `otherReasons`.
 */
export const SHARD_REASONS_LIMIT = 100;

export interface DecisionCounts {
  qualified: number;
  disqualified: number;
  /** Disqualified records with no reason (recorded before reasons existed). */
  withoutReason: number;
  /**
   * Disqualified records by reason, sorted by reason: pairs rather than an object, so a reason such as
   * "__proto__" is data like any other.
   */
  reasons: [reason: string, count: number][];
  /** Disqualified records whose reason the shard had no room for (SHARD_REASONS_LIMIT); absent while none. */
  otherReasons?: number;
}

export type DecidedRecord = Pick<LeadRecord, 'status' | 'disqualifyReason'>;

export function emptyDecisions(): DecisionCounts {
  return { qualified: 0, disqualified: 0, withoutReason: 0, reasons: [] };
}

/** Adds `by` to the count of `reason`; false when the reason is new and the shard holds SHARD_REASONS_LIMIT. */
function bumpReason(reasons: [string, number][], reason: string, by: number): boolean {
  let low = 0;
  let high = reasons.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((reasons[mid]?.[0] ?? '') < reason) low = mid + 1;
    else high = mid;
  }
  const found = reasons[low];
  if (found !== undefined && found[0] === reason) {
    found[1] += by;
    if (found[1] === 0) reasons.splice(low, 1);
    return true;
  }
  if (by < 0 || reasons.length >= SHARD_REASONS_LIMIT) return false;
  reasons.splice(low, 0, [reason, by]);
  return true;
}

/** Adds (`sign` 1) or takes back (`sign` -1) one record's decision. */
export function countDecision(counts: DecisionCounts, r: DecidedRecord, sign: 1 | -1): void {
  if (r.status === 'qualified') counts.qualified += sign;
  if (r.status !== 'disqualified') return;
  counts.disqualified += sign;
  if (r.disqualifyReason === undefined) counts.withoutReason += sign;
  else if (!bumpReason(counts.reasons, r.disqualifyReason, sign)) {
    const next = (counts.otherReasons ?? 0) + sign;
    if (next === 0) delete counts.otherReasons;
    else counts.otherReasons = next;
  }
}

/** The counts of several shards together (no limit on reasons: this is read, never stored). */
export function sumDecisions(list: readonly DecisionCounts[]): DecisionCounts {
  const sum = emptyDecisions();
  const reasons = new Map<string, number>();
  for (const d of list) {
    sum.qualified += d.qualified;
    sum.disqualified += d.disqualified;
    sum.withoutReason += d.withoutReason;
    for (const [reason, n] of d.reasons) reasons.set(reason, (reasons.get(reason) ?? 0) + n);
    if (d.otherReasons !== undefined) sum.otherReasons = (sum.otherReasons ?? 0) + d.otherReasons;
  }
  sum.reasons = [...reasons.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return sum;
}
