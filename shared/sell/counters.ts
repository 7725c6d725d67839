/**
 * Stats counters (docs/api.md, `GET /api/stats`): one shard per listing month × offer, kept in step with the listing
 * by adding a record's contribution and taking back the one of the version it replaces. Pure: the store and the
 * catch-up decide where shards live. Every figure is exact except speed-to-lead percentiles over large shards,
 * which come from log-spaced bins (relative error under 0.5 %, see DELAY_BIN_GROWTH).
 */
import type { Stage } from '../marketplace/stage';
import type { LeadRecord, LeadStatus } from '../record/model';
import { DAY_MS, HOUR_MS } from '../time';
import { countDecision, type DecisionCounts, emptyDecisions, sumDecisions } from './decisionCounts';
import {
  byDecisions,
  type OfferQualification,
  qualificationGroup,
  type QualificationStats,
} from './qualificationStats';
import { DAYS, type GroupStats, type OfferStats, percentile, type PipelineStats, WINDOW_HOURS } from './stats';
import { STAGES, STATUSES } from './values';

/** Exact delays are kept while a shard holds at most this many contacted records; bins always. */
export const EXACT_DELAYS_LIMIT = 200;
/** Bin i ≥ 2 holds delays in [MIN·γ^(i-2), MIN·γ^(i-1)) hours; its midpoint is within (γ-1)/(γ+1) < 0.5 %. */
export const DELAY_BIN_GROWTH = 1.01;
/** Bin 0 is a delay of exactly 0; bin 1 is (0, MIN_DELAY_HOURS), read as MIN/2: within 18 seconds. */
export const MIN_DELAY_HOURS = 0.01;

export interface CounterShard {
  total: number;
  byStage: Record<Stage, number>;
  byStatus: Record<LeadStatus, number>;
  contacted: number;
  /** Hours to first contact, binned: bin index → records. */
  bins: Record<string, number>;
  /** Milliseconds to first contact, ascending, while `contacted` ≤ EXACT_DELAYS_LIMIT and never past it since a rebuild. */
  exact?: number[];
  /** Records not do-not-contact, and of those the ones first contacted within 24 h of first seen. */
  reachable: number;
  inWindow: number;
  /** Records by the UTC day of first seen. */
  days: Record<string, number>;
  /** The title of the newest record listed with one, and that record's id. */
  offerTitle?: string;
  titleLeadId?: string;
  /**
   * Qualified and disqualified records, and the reasons. Absent on a shard stored before decisions were counted:
   * its figures are not known until `npm run rebuild-counters` recounts it, and a catch-up leaves it absent.
   */
  decisions?: DecisionCounts;
}

export type CountedRecord = Pick<
  LeadRecord,
  | 'leadId'
  | 'offerKey'
  | 'offerTitle'
  | 'stage'
  | 'status'
  | 'firstSeenAt'
  | 'firstContactedAt'
  | 'isTest'
  | 'doNotContact'
  | 'disqualifyReason'
>;

export function emptyShard(): CounterShard {
  return {
    total: 0,
    byStage: Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>,
    byStatus: Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<LeadStatus, number>,
    contacted: 0,
    bins: {},
    exact: [],
    reachable: 0,
    inWindow: 0,
    days: {},
    decisions: emptyDecisions(),
  };
}

/** Milliseconds from first seen to first contact (a contact before first seen counts as instant), if contacted. */
export function delayMs(r: Pick<LeadRecord, 'firstSeenAt' | 'firstContactedAt'>): number | undefined {
  if (r.firstContactedAt === undefined) return undefined;
  return Math.max(0, Date.parse(r.firstContactedAt) - Date.parse(r.firstSeenAt));
}

export function delayBin(ms: number): number {
  const hours = ms / HOUR_MS;
  if (hours === 0) return 0;
  if (hours < MIN_DELAY_HOURS) return 1;
  return 2 + Math.floor(Math.log(hours / MIN_DELAY_HOURS) / Math.log(DELAY_BIN_GROWTH) + 1e-9);
}

/** The hours a bin stands for: the middle of its range. */
export function binHours(bin: number): number {
  if (bin === 0) return 0;
  if (bin === 1) return MIN_DELAY_HOURS / 2;
  const low = MIN_DELAY_HOURS * DELAY_BIN_GROWTH ** (bin - 2);
  return (low + low * DELAY_BIN_GROWTH) / 2;
}

const bump = (map: Record<string, number>, key: string, by: number): void => {
  const next = (map[key] ?? 0) + by;
  if (next === 0) delete map[key];
  else map[key] = next;
};

/** Adds (`sign` 1) or takes back (`sign` -1) one record's contribution; test leads contribute nothing. */
export function count(shard: CounterShard, r: CountedRecord, sign: 1 | -1): void {
  if (r.isTest) return;
  shard.total += sign;
  shard.byStage[r.stage] += sign;
  shard.byStatus[r.status] += sign;
  const waited = delayMs(r);
  if (waited !== undefined) {
    shard.contacted += sign;
    bump(shard.bins, String(delayBin(waited)), sign);
    if (shard.exact) {
      if (sign === 1) shard.exact.splice(sortedIndex(shard.exact, waited), 0, waited);
      else if (shard.exact.includes(waited)) shard.exact.splice(shard.exact.indexOf(waited), 1);
      if (shard.exact.length > EXACT_DELAYS_LIMIT) delete shard.exact;
    }
  }
  if (!r.doNotContact) {
    shard.reachable += sign;
    if (waited !== undefined && waited <= WINDOW_HOURS * HOUR_MS) shard.inWindow += sign;
  }
  bump(shard.days, r.firstSeenAt.slice(0, 10), sign);
  if (shard.decisions) countDecision(shard.decisions, r, sign);
  if (sign === 1 && r.offerTitle !== undefined && (shard.titleLeadId ?? '') <= r.leadId) {
    shard.offerTitle = r.offerTitle;
    shard.titleLeadId = r.leadId;
  }
}

function sortedIndex(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((sorted[mid] ?? 0) < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The value at rank `p` (PERCENTILE.INC) of the binned delays, in hours. */
function binnedPercentile(bins: Map<number, number>, total: number, p: number): number {
  const rank = (total - 1) * p;
  const at = (index: number): number => {
    let seen = 0;
    for (const [bin, n] of bins) {
      seen += n;
      if (index < seen) return binHours(bin);
    }
    return 0;
  };
  const low = Math.floor(rank);
  const a = at(low);
  return a + (at(Math.ceil(rank)) - a) * (rank - low);
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

export interface CountedShard {
  offerKey: string;
  shard: CounterShard;
}

/**
 * The stats as `computeStats` would give them for the counted records, from their shards. `young` are the records
 * first seen less than 24 h before `now` (their 24-hour outcome is not known yet, so they leave the eligible count).
 */
export function statsFromShards(
  shards: readonly CountedShard[],
  young: readonly CountedRecord[],
  now: Date,
): PipelineStats {
  const overall: CountedShard[] = [];
  const offers = new Map<string, CountedShard[]>();
  for (const s of shards) {
    overall.push(s);
    offers.set(s.offerKey, [...(offers.get(s.offerKey) ?? []), s]);
  }
  const fresh = young.filter((r) => !r.isTest && Date.parse(r.firstSeenAt) > now.getTime() - WINDOW_HOURS * HOUR_MS);
  const offerStats = [...offers.entries()]
    .map(([offerKey, list]): OfferStats => {
      const title = newestTitle(list.map((s) => s.shard));
      const group = groupStats(
        list.map((s) => s.shard),
        fresh.filter((r) => r.offerKey === offerKey),
        now,
      );
      return { offerKey, ...(title === undefined ? {} : { offerTitle: title }), ...group };
    })
    .filter((o) => o.total > 0)
    .sort((a, b) => b.total - a.total || a.offerKey.localeCompare(b.offerKey));
  return {
    generatedAt: now.toISOString(),
    overall: groupStats(
      overall.map((s) => s.shard),
      fresh,
      now,
    ),
    offers: offerStats,
  };
}

/**
 * The qualification figures from the shards' decision counts; undefined while any shard that counts records was
 * stored before decisions were counted (its records' decisions are unknown until a rebuild, and zeros would lie).
 */
export function qualificationFromShards(shards: readonly CountedShard[]): QualificationStats | undefined {
  const counted = shards.filter((s) => s.shard.total > 0);
  const decisions: DecisionCounts[] = [];
  const offers = new Map<string, CountedShard[]>();
  for (const s of counted) {
    if (s.shard.decisions === undefined) return undefined;
    decisions.push(s.shard.decisions);
    offers.set(s.offerKey, [...(offers.get(s.offerKey) ?? []), s]);
  }
  const offerStats = [...offers.entries()]
    .map(([offerKey, list]): OfferQualification => {
      const title = newestTitle(list.map((s) => s.shard));
      const group = qualificationGroup(sumDecisions(list.map((s) => s.shard.decisions ?? emptyDecisions())));
      return { offerKey, ...(title === undefined ? {} : { offerTitle: title }), ...group };
    })
    .sort(byDecisions);
  return { overall: qualificationGroup(sumDecisions(decisions)), offers: offerStats };
}

function newestTitle(shards: readonly CounterShard[]): string | undefined {
  let best: CounterShard | undefined;
  for (const s of shards) {
    if (s.titleLeadId !== undefined && s.total > 0 && (best?.titleLeadId ?? '') < s.titleLeadId) best = s;
  }
  return best?.offerTitle;
}

function groupStats(shards: readonly CounterShard[], young: readonly CountedRecord[], now: Date): GroupStats {
  const total = emptyShard();
  const bins = new Map<number, number>();
  let exact: number[] | undefined = [];
  for (const s of shards) {
    total.total += s.total;
    for (const k of STAGES) total.byStage[k] += s.byStage[k];
    for (const k of STATUSES) total.byStatus[k] += s.byStatus[k];
    total.contacted += s.contacted;
    total.reachable += s.reachable;
    total.inWindow += s.inWindow;
    for (const [day, n] of Object.entries(s.days)) bump(total.days, day, n);
    for (const [bin, n] of Object.entries(s.bins)) bins.set(Number(bin), (bins.get(Number(bin)) ?? 0) + n);
    exact = exact && s.exact ? exact.concat(s.exact) : undefined;
  }
  let eligible = total.reachable;
  let inWindow = total.inWindow;
  for (const r of young) {
    if (r.doNotContact) continue;
    eligible--;
    const waited = delayMs(r);
    if (waited !== undefined && waited <= WINDOW_HOURS * HOUR_MS) inWindow--;
  }
  const sortedBins = new Map([...bins.entries()].sort((a, b) => a[0] - b[0]));
  const hours = exact?.sort((a, b) => a - b).map((ms) => ms / HOUR_MS);
  const at = (p: number): number | null =>
    total.contacted === 0
      ? null
      : round2(hours ? percentile(hours, p) : binnedPercentile(sortedBins, total.contacted, p));
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const perDay = Array.from({ length: DAYS }, (_, i) => {
    const date = new Date(today - (DAYS - 1 - i) * DAY_MS).toISOString().slice(0, 10);
    return { date, count: total.days[date] ?? 0 };
  });
  return {
    total: total.total,
    byStage: total.byStage,
    byStatus: total.byStatus,
    speedToLead: {
      contacted: total.contacted,
      medianHours: at(0.5),
      p90Hours: at(0.9),
      within24h: { eligible, contacted: inWindow, share: eligible === 0 ? null : round2(inWindow / eligible) },
    },
    perDay,
  };
}
