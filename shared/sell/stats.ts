/**
 * Pipeline figures for `GET /api/stats`, per offer and overall, folded one record at a time so the caller can
 * stream the table through without holding it. Definitions (also in docs/api.md):
 *  - speed to lead: hours from first seen to `firstContactedAt` (the first status other than `new`), over the
 *    records that have one; median and 90th percentile interpolate linearly between ranks (Excel PERCENTILE.INC).
 *  - contacted within 24 h: of the records whose first 24 hours are over (first seen ≥ 24 h ago) and that are not
 *    do-not-contact, the share whose first contact came within 24 h of first seen. Younger records are left
 *    out: their outcome is not known yet, and counting only the already-contacted ones would flatter the figure.
 *  - per day: records by the UTC day they were first seen, the 30 days ending today.
 * Test leads are excluded; erased leads (tombstones) count, which is why erasure keeps them.
 */
import type { Stage } from '../marketplace/stage';
import type { LeadRecord, LeadStatus } from '../record/model';
import { DAY_MS, HOUR_MS } from '../time';
import { STAGES, STATUSES } from './values';

export const WINDOW_HOURS = 24;
export const DAYS = 30;

export interface GroupStats {
  total: number;
  byStage: Record<Stage, number>;
  byStatus: Record<LeadStatus, number>;
  speedToLead: {
    contacted: number;
    medianHours: number | null;
    p90Hours: number | null;
    within24h: { eligible: number; contacted: number; share: number | null };
  };
  perDay: { date: string; count: number }[];
}

export interface OfferStats extends GroupStats {
  offerKey: string;
  offerTitle?: string;
}

export interface PipelineStats {
  generatedAt: string;
  overall: GroupStats;
  offers: OfferStats[];
}

export type StatsInput = Pick<
  LeadRecord,
  'offerKey' | 'offerTitle' | 'stage' | 'status' | 'firstSeenAt' | 'firstContactedAt' | 'isTest' | 'doNotContact'
>;

/** Linear interpolation between closest ranks; `sorted` ascending and non-empty. */
export function percentile(sorted: readonly number[], p: number): number {
  const rank = (sorted.length - 1) * p;
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const a = sorted[low] ?? 0;
  const b = sorted[high] ?? a;
  return a + (b - a) * (rank - low);
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

class Group {
  total = 0;
  byStage = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<LeadStatus, number>;
  hours: number[] = [];
  eligible = 0;
  inWindow = 0;
  days = new Map<string, number>();

  add(r: StatsInput, now: number): void {
    this.total++;
    this.byStage[r.stage]++;
    this.byStatus[r.status]++;
    const seen = Date.parse(r.firstSeenAt);
    const contacted = r.firstContactedAt === undefined ? undefined : Date.parse(r.firstContactedAt);
    // A first contact recorded before first seen can only be clock skew or a late earlier lead: count it as instant.
    const waited = contacted === undefined ? undefined : Math.max(0, contacted - seen);
    if (waited !== undefined) this.hours.push(waited / HOUR_MS);
    if (!r.doNotContact && seen <= now - WINDOW_HOURS * HOUR_MS) {
      this.eligible++;
      if (waited !== undefined && waited <= WINDOW_HOURS * HOUR_MS) this.inWindow++;
    }
    const day = new Date(seen).toISOString().slice(0, 10);
    this.days.set(day, (this.days.get(day) ?? 0) + 1);
  }

  result(now: number): GroupStats {
    const sorted = [...this.hours].sort((a, b) => a - b);
    const today = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate());
    const perDay = Array.from({ length: DAYS }, (_, i) => {
      const date = new Date(today - (DAYS - 1 - i) * DAY_MS).toISOString().slice(0, 10);
      return { date, count: this.days.get(date) ?? 0 };
    });
    return {
      total: this.total,
      byStage: this.byStage,
      byStatus: this.byStatus,
      speedToLead: {
        contacted: sorted.length,
        medianHours: sorted.length === 0 ? null : round2(percentile(sorted, 0.5)),
        p90Hours: sorted.length === 0 ? null : round2(percentile(sorted, 0.9)),
        within24h: {
          eligible: this.eligible,
          contacted: this.inWindow,
          share: this.eligible === 0 ? null : round2(this.inWindow / this.eligible),
        },
      },
      perDay,
    };
  }
}

export class StatsAccumulator {
  private readonly overall = new Group();
  private readonly offers = new Map<string, { group: Group; title?: string }>();

  constructor(private readonly now: Date) {}

  add(record: StatsInput): void {
    if (record.isTest) return;
    this.overall.add(record, this.now.getTime());
    let offer = this.offers.get(record.offerKey);
    if (!offer) {
      offer = { group: new Group() };
      this.offers.set(record.offerKey, offer);
    }
    offer.title ??= record.offerTitle;
    offer.group.add(record, this.now.getTime());
  }

  result(): PipelineStats {
    const now = this.now.getTime();
    const offers = [...this.offers.entries()]
      .map(([offerKey, { group, title }]): OfferStats => ({
        offerKey,
        ...(title === undefined ? {} : { offerTitle: title }),
        ...group.result(now),
      }))
      .sort((a, b) => b.total - a.total || a.offerKey.localeCompare(b.offerKey));
    return { generatedAt: this.now.toISOString(), overall: this.overall.result(now), offers };
  }
}

export function computeStats(records: Iterable<StatsInput>, now: Date): PipelineStats {
  const acc = new StatsAccumulator(now);
  for (const r of records) acc.add(r);
  return acc.result();
}
