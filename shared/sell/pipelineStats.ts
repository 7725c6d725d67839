/**
 * `GET /api/stats` from the counters (counters.ts): one query of the small counters table plus the records first
 * seen in the last 24 hours (a walk of the listing's newest rows), so the cost does not grow with the leads stored.
 * `scannedStats` folds every listed record instead: what the counters must always agree with (tests, the rebuild).
 */
import { HOUR_MS } from '../time';
import { type CountedShard, statsFromShards } from './counters';
import type { LeadPageSource } from './leadWalk';
import { walkLeads } from './leadWalk';
import { type PipelineStats, StatsAccumulator, WINDOW_HOURS } from './stats';

export interface StatsSource extends LeadPageSource {
  /** Every counter shard, as the counters table holds it. */
  countedShards(): Promise<CountedShard[]>;
}

export async function pipelineStats(source: StatsSource, now: Date): Promise<PipelineStats> {
  const since = new Date(now.getTime() - WINDOW_HOURS * HOUR_MS);
  const youngWalk = async (): Promise<Parameters<typeof statsFromShards>[1]> => {
    const young = [];
    for await (const step of walkLeads(source, { since }, undefined, now, () => 1000)) {
      if (step.kind === 'row') young.push(step.record);
    }
    return young;
  };
  const [shards, young] = await Promise.all([source.countedShards(), youngWalk()]);
  return statsFromShards(shards, young, now);
}

/** Reads every listed record once, one storage page in memory at a time: cost grows with the leads stored. */
export async function scannedStats(source: LeadPageSource, now: Date): Promise<PipelineStats> {
  const acc = new StatsAccumulator(now);
  for await (const step of walkLeads(source, {}, undefined, now, () => 1000)) {
    if (step.kind === 'row') acc.add(step.record);
  }
  return acc.result();
}
