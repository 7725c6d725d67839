/**
 * `GET /api/stats` from the counters (counters.ts): one query of the small counters table plus the records minted
 * in the last 24 hours (a row-key range at the head of the newest month), so the cost does not grow with the leads
 * stored. `scannedStats` folds every listed record instead: what the counters must always agree with (tests).
 */
import { HOUR_MS } from '../time';
import { type CountedShard, qualificationFromShards, statsFromShards } from './counters';
import type { LeadPageSource } from './leadWalk';
import { walkLeads } from './leadWalk';
import { recordsMintedSince, type WindowPageSource } from './mintedSince';
import { QualificationAccumulator, type QualificationStats } from './qualificationStats';
import { type PipelineStats, StatsAccumulator, WINDOW_HOURS } from './stats';

export interface StatsSource extends WindowPageSource {
  /** Every counter shard, as the counters table holds it. */
  countedShards(): Promise<CountedShard[]>;
}

export const COUNTERS_NEED_REBUILD =
  'Some counters were stored before they counted decisions: run npm run rebuild-counters to show qualification';

export type StatsAnswer = PipelineStats &
  (
    | { qualification: QualificationStats }
    /** Counters stored before decisions were counted: the figures are unknown until a rebuild, not zero. */
    | { qualification: null; countersNeedRebuild: string }
  );

export async function pipelineStats(source: StatsSource, now: Date): Promise<StatsAnswer> {
  // The 24-hour figure is defined by first seen; ids minted since then include every record first seen since then.
  const since = new Date(now.getTime() - WINDOW_HOURS * HOUR_MS);
  const [shards, young] = await Promise.all([source.countedShards(), recordsMintedSince(source, since, now)]);
  const stats = statsFromShards(shards, young, now);
  const qualification = qualificationFromShards(shards);
  return qualification === undefined
    ? { ...stats, qualification: null, countersNeedRebuild: COUNTERS_NEED_REBUILD }
    : { ...stats, qualification };
}

/** Reads every listed record once, one storage page in memory at a time: cost grows with the leads stored. */
export async function scannedStats(
  source: LeadPageSource,
  now: Date,
): Promise<PipelineStats & { qualification: QualificationStats }> {
  const acc = new StatsAccumulator(now);
  const qualification = new QualificationAccumulator();
  for await (const step of walkLeads(source, {}, undefined, now, () => 1000)) {
    if (step.kind === 'row') {
      acc.add(step.record);
      qualification.add(step.record);
    }
  }
  return { ...acc.result(), qualification: qualification.result() };
}
