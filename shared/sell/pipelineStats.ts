/**
 * `GET /api/stats` from the counters (counters.ts): one query of the small counters table plus the records first
 * seen in the last 24 hours (a walk of the listing's newest rows), so the cost does not grow with the leads stored.
 * `scannedStats` folds every listed record instead: what the counters must always agree with (tests, the rebuild).
 */
import { HOUR_MS } from '../time';
import { type CountedShard, statsFromShards } from './counters';
import type { LeadPageSource } from './leadWalk';
import { walkLeads } from './leadWalk';
import { QualificationAccumulator, type QualificationStats } from './qualificationStats';
import { type PipelineStats, StatsAccumulator, WINDOW_HOURS } from './stats';

export interface StatsSource extends LeadPageSource {
  /** Every counter shard, as the counters table holds it. */
  countedShards(): Promise<CountedShard[]>;
}

/**
 * Qualification is not in the counters yet: it is folded from a walk of every listed record, so this part still
 * grows with the leads stored (docs/api.md).
 */
export async function qualificationStats(source: LeadPageSource, now: Date): Promise<QualificationStats> {
  const qualification = new QualificationAccumulator();
  for await (const step of walkLeads(source, {}, undefined, now, () => 1000)) {
    if (step.kind === 'row') qualification.add(step.record);
  }
  return qualification.result();
}

export async function pipelineStats(
  source: StatsSource,
  now: Date,
): Promise<PipelineStats & { qualification: QualificationStats }> {
  const since = new Date(now.getTime() - WINDOW_HOURS * HOUR_MS);
  const youngWalk = async (): Promise<Parameters<typeof statsFromShards>[1]> => {
    const young = [];
    for await (const step of walkLeads(source, { since }, undefined, now, () => 1000)) {
      if (step.kind === 'row') young.push(step.record);
    }
    return young;
  };
  const [shards, young, qualification] = await Promise.all([
    source.countedShards(),
    youngWalk(),
    qualificationStats(source, now),
  ]);
  return { ...statsFromShards(shards, young, now), qualification };
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
