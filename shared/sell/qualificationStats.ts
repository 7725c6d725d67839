/**
 * Qualification figures for `GET /api/stats`, per offer and overall, folded one record at a time like stats.ts:
 *  - qualification rate: of the records with a decision (qualified or disqualified), the share qualified. Records
 *    without a decision are left out: their outcome is not known yet.
 *  - reasons: how many disqualified records gave each reason, most frequent first; disqualifications recorded
 *    before reasons existed count as `withoutReason`.
 * Test leads are excluded, as in the pipeline figures.
 */
import type { LeadRecord } from '../record/model';

export interface QualificationGroup {
  decided: number;
  qualified: number;
  disqualified: number;
  /** qualified / decided, two decimals; null with no decision yet. */
  qualificationRate: number | null;
  reasons: { reason: string; count: number }[];
  withoutReason: number;
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
    const decided = this.qualified + this.disqualified;
    return {
      decided,
      qualified: this.qualified,
      disqualified: this.disqualified,
      qualificationRate: decided === 0 ? null : Math.round((this.qualified / decided) * 100) / 100,
      reasons: [...this.reasons.entries()]
        .map(([reason, count]) => ({ reason, count }))
        .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
      withoutReason: this.withoutReason,
    };
  }
}

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
      .sort((a, b) => b.decided - a.decided || a.offerKey.localeCompare(b.offerKey));
    return { overall: this.overall.result(), offers };
  }
}

export function computeQualificationStats(records: Iterable<QualificationStatsInput>): QualificationStats {
  const acc = new QualificationAccumulator();
  for (const r of records) acc.add(r);
  return acc.result();
}
