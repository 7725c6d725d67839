/**
 * Reads every record once, newest month first, folding each into the stats as it goes: memory holds one storage
 * page plus one number per contacted lead, and the cost grows with the number of leads stored (docs/api.md).
 */
import type { LeadPageSource } from './leadWalk';
import { walkLeads } from './leadWalk';
import { QualificationAccumulator, type QualificationStats } from './qualificationStats';
import { type PipelineStats, StatsAccumulator } from './stats';

export async function pipelineStats(
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
