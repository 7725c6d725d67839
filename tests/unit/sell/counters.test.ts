import { ulid } from 'ulid';

import { leadKeys } from '../../../shared/record/keys';
import type { LeadRecord } from '../../../shared/record/model';
import {
  binHours,
  count,
  type CountedShard,
  delayBin,
  emptyShard,
  qualificationFromShards,
  statsFromShards,
} from '../../../shared/sell/counters';
import { computeQualificationStats } from '../../../shared/sell/qualificationStats';
import { computeStats } from '../../../shared/sell/stats';

const HOUR = 3_600_000;
const REASONS = ['No budget', 'No need', 'Chose a competitor', '__proto__'];
const now = new Date('2025-03-10T12:00:00Z');

/** Deterministic records: several months and offers, every status, do-not-contact, test leads, young ones. */
function records(n: number, seed = 7): LeadRecord[] {
  let x = seed;
  const next = (): number => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, (_, i) => {
    const seen = now.getTime() - Math.floor(next() * 90 * 24 * HOUR);
    const contacted = next() < 0.6 ? seen + Math.floor(next() * 72 * HOUR) - (i % 17 === 0 ? HOUR : 0) : undefined;
    const r = {
      leadId: ulid(seen + Math.floor(next() * 3 * HOUR)),
      offerKey: `pub.offer${i % 3}`,
      offerTitle: `Offer ${i % 3}`,
      stage: (['interest', 'trial', 'active', 'doNotContact'] as const)[i % 4]!,
      status: contacted === undefined ? 'new' : (['contacted', 'qualified', 'disqualified'] as const)[i % 3]!,
      firstSeenAt: new Date(seen).toISOString(),
      isTest: i % 23 === 0,
      doNotContact: i % 4 === 3,
    } as LeadRecord;
    if (contacted !== undefined) r.firstContactedAt = new Date(contacted).toISOString();
    // Reasons as configured, and some disqualifications from before reasons existed.
    if (r.status === 'disqualified' && i % 7 !== 0) r.disqualifyReason = REASONS[i % REASONS.length];
    return r;
  });
}

const shardKey = (r: LeadRecord): string => `${leadKeys(r.leadId).partitionKey} ${r.offerKey}`;

function shardMap(list: readonly LeadRecord[]): Map<string, CountedShard> {
  const shards = new Map<string, CountedShard>();
  for (const r of list) {
    let s = shards.get(shardKey(r));
    if (!s) shards.set(shardKey(r), (s = { offerKey: r.offerKey, shard: emptyShard() }));
    count(s.shard, r, 1);
  }
  return shards;
}

const shardsOf = (list: readonly LeadRecord[]): CountedShard[] => [...shardMap(list).values()];

const young = (list: readonly LeadRecord[]): LeadRecord[] =>
  list.filter((r) => Date.parse(r.firstSeenAt) > now.getTime() - 24 * HOUR);

describe('stats counters', () => {
  test('small shards give exactly the stats of the records', () => {
    const list = records(300);
    expect(statsFromShards(shardsOf(list), young(list), now)).toEqual(computeStats(list, now));
  });

  test('taking a version back and adding the next one is the same as counting the next one alone', () => {
    const list = records(120);
    const shards = shardMap(list);
    const changed = list.map((r, i) =>
      i % 5 === 0 ? { ...r, status: 'qualified' as const, firstContactedAt: r.firstContactedAt ?? r.firstSeenAt } : r,
    );
    for (const [i, r] of list.entries()) {
      if (i % 5 !== 0) continue;
      const s = shards.get(shardKey(r))!;
      count(s.shard, r, -1);
      count(s.shard, changed[i]!, 1);
    }
    expect(statsFromShards([...shards.values()], young(changed), now)).toEqual(computeStats(changed, now));
  });

  test('qualification from the shards equals the qualification of the records', () => {
    const list = records(300);
    const fromShards = qualificationFromShards(shardsOf(list));
    expect(fromShards).toEqual(computeQualificationStats(list));
    expect(fromShards?.overall.reasons.map((r) => r.reason)).toContain('__proto__');
    expect(fromShards?.overall.withoutReason).toBeGreaterThan(0);
  });

  test('a decision changed (a reason, a requalification, back to new) moves the decision counts with it', () => {
    const list = records(150, 3);
    const shards = shardMap(list);
    const changed = list.map((r, i): LeadRecord => {
      if (i % 4 === 0) return { ...r, status: 'disqualified', disqualifyReason: 'Bad timing' };
      if (i % 4 === 1 && r.status === 'disqualified') return { ...r, status: 'qualified', disqualifyReason: undefined };
      if (i % 4 === 2) return { ...r, status: 'new', disqualifyReason: undefined };
      return r;
    });
    for (const [i, r] of list.entries()) {
      const s = shards.get(shardKey(r))!;
      count(s.shard, r, -1);
      count(s.shard, changed[i]!, 1);
    }
    expect(qualificationFromShards([...shards.values()])).toEqual(computeQualificationStats(changed));
    expect(shardsOf(changed).map((s) => s.shard)).toEqual([...shards.values()].map((s) => s.shard));
  });

  test('shards stored before decisions were counted leave qualification unknown, not zero, until recounted', () => {
    const list = records(60);
    const shards = shardsOf(list);
    const [first, ...rest] = shards;
    const old = { offerKey: first!.offerKey, shard: { ...first!.shard, decisions: undefined } };
    expect(qualificationFromShards([old, ...rest])).toBeUndefined();
    // A catch-up moving a record of such a shard leaves it uncounted rather than counting half of it.
    const moved = structuredClone(old);
    count(moved.shard, { ...list[0]!, offerKey: old.offerKey, status: 'qualified' }, 1);
    expect(moved.shard.decisions).toBeUndefined();
    // A shard counting no record any more has no decisions to know.
    const emptied = { offerKey: 'pub.gone', shard: { ...emptyShard(), decisions: undefined } };
    expect(qualificationFromShards([emptied, ...shards])).toEqual(qualificationFromShards(shards));
  });

  test('large shards read percentiles from the bins, within 0.5 % (or 0.01 h) of the exact value', () => {
    const list = records(6000, 11);
    const fromShards = statsFromShards(shardsOf(list), young(list), now);
    const exact = computeStats(list, now);
    const { medianHours, p90Hours, ...rest } = fromShards.overall.speedToLead;
    const { medianHours: m, p90Hours: p, ...exactRest } = exact.overall.speedToLead;
    expect(rest).toEqual(exactRest);
    expect(Math.abs(medianHours! - m!)).toBeLessThanOrEqual(Math.max(0.005 * m!, 0.01) + 0.005);
    expect(Math.abs(p90Hours! - p!)).toBeLessThanOrEqual(Math.max(0.005 * p!, 0.01) + 0.005);
    expect({ ...fromShards.overall, speedToLead: null }).toEqual({ ...exact.overall, speedToLead: null });
  });

  test('a bin stands for delays within 0.5 % of its middle', () => {
    for (const hours of [0.02, 0.5, 1, 3.7, 24, 100, 5000]) {
      const mid = binHours(delayBin(hours * HOUR));
      expect(Math.abs(mid - hours) / hours).toBeLessThan(0.005);
    }
    expect(binHours(delayBin(0))).toBe(0);
  });
});
