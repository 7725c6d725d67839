/**
 * Qualification figures for `GET /api/stats`, per offer and overall, folded one record at a time like stats.ts:
 *  - qualification rate: of the records with a decision (qualified or disqualified), the share qualified. Records
 *    without a decision are left out: their outcome is not known yet.
 *  - reasons: how many disqualified records gave each reason, most frequent first; disqualifications recorded
 *    before reasons existed count as `withoutReason`.
 * Test leads are excluded, as in the pipeline figures. `GET /api/stats` reads these figures from the counter shards
 * (decisionCounts.ts); the accumulator here folds records one by one, what the counters must agree with.
 */
import type { LeadRecord } from '../record/model';
import type { DecisionCounts } from './decisionCounts';

export interface QualificationGroup {
  decided: number;
  qualified: number;
  disqualified: number;
  /** qualified / decided, two decimals; null with no decision yet. */
  qualificationRate: number | null;
  reasons: { reason: string; count: number }[];
  withoutReason: number;
  /** Disqualifications whose reason a counter shard had no room for (decisionCounts.ts); only when some were. */
  otherReasons?: number;
}

export interface OfferQualification extends QualificationGroup {
  offerKey: string;
  offerTitle?: string;
}

export interface QualificationStats {
  overall: QualificationGroup;
  offers: OfferQualification[];
}

export type QualificationStatsInput = Pick<LeadRecord, 'offerKey' | 'offerTitle' | 'status' | 'isTest'> & {
  /** The reason of the record's current disqualification (the projection's `disqualifyReason`). */
  disqualifyReason?: string;
};

class Group {
  qualified = 0;
  disqualified = 0;
  withoutReason = 0;
  reasons = new Map<string, number>();

  add(r: QualificationStatsInput): void {
    if (r.status === 'qualified') this.qualified++;
    if (r.status !== 'disqualified') return;
    this.disqualified++;
    if (r.disqualifyReason === undefined) this.withoutReason++;
    else this.reasons.set(r.disqualifyReason, (this.reasons.get(r.disqualifyReason) ?? 0) + 1);
  }

  result(): QualificationGroup {
    return qualificationGroup({
      qualified: this.qualified,
      disqualified: this.disqualified,
      withoutReason: this.withoutReason,
      reasons: [...this.reasons.entries()],
    });
  }
}

/** The figures of one group from its counts. */
export function qualificationGroup(counts: DecisionCounts): QualificationGroup {
  const decided = counts.qualified + counts.disqualified;
  return {
    decided,
    qualified: counts.qualified,
    disqualified: counts.disqualified,
    qualificationRate: decided === 0 ? null : Math.round((counts.qualified / decided) * 100) / 100,
    reasons: counts.reasons
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
    withoutReason: counts.withoutReason,
    ...(counts.otherReasons ? { otherReasons: counts.otherReasons } : {}),
  };
}

/** Offers with most decisions first. */
export const byDecisions = (a: OfferQualification, b: OfferQualification): number =>
  b.decided - a.decided || a.offerKey.localeCompare(b.offerKey);

export class QualificationAccumulator {
  private readonly overall = new Group();
  private readonly offers = new Map<string, { group: Group; title?: string }>();

  add(record: QualificationStatsInput): void {
    if (record.isTest) return;
    this.overall.add(record);
    let offer = this.offers.get(record.offerKey);
    if (offer === undefined) {
      offer = { group: new Group() };
      this.offers.set(record.offerKey, offer);
    }
    offer.title ??= record.offerTitle;
    offer.group.add(record);
  }

  result(): QualificationStats {
    const offers = [...this.offers.entries()]
      .map(([offerKey, { group, title }]): OfferQualification => ({
        offerKey,
        ...(title === undefined ? {} : { offerTitle: title }),
        ...group.result(),
      }))
      .sort(byDecisions);
    return { overall: this.overall.result(), offers };
  }
}

export function computeQualificationStats(records: Iterable<QualificationStatsInput>): QualificationStats {
  const acc = new QualificationAccumulator();
  for (const r of records) acc.add(r);
  return acc.result();
}
