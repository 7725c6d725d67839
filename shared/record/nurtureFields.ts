/**
 * The record's fields about nurturing a lead, folded from its events like the rest of the projection: the attempt
 * summary, the current decision's answers or reason, and when trials started. The cadence block depends on the
 * cadence days and is added by the rebuild (rebuild.ts), not here.
 */
import { trialKindOf } from '../followUp/trialWindow';
import { contactAttempts, summariseAttempts } from './attempts';
import { currentDecision } from './decisions';
import type { LeadArrivalEvent, LeadEvent, LeadRecord } from './model';

export type NurtureFields = Pick<
  LeadRecord,
  | 'attemptCount'
  | 'firstAttemptAt'
  | 'lastAttemptAt'
  | 'lastAttemptChannel'
  | 'lastAttemptOutcome'
  | 'lastAttemptBy'
  | 'qualification'
  | 'disqualifyReason'
  | 'freeTrialStartedAt'
  | 'testDriveStartedAt'
>;

/** `sorted`: the history without repeats, in projection order; `arrivals`: its arrival events. */
export function nurtureFields(sorted: readonly LeadEvent[], arrivals: readonly LeadArrivalEvent[]): NurtureFields {
  const decision = currentDecision(sorted);
  const latestStart = (kind: 'freeTrial' | 'testDrive'): string | undefined =>
    arrivals.filter((a) => trialKindOf(a) === kind).at(-1)?.at;
  return {
    ...summariseAttempts(contactAttempts(sorted)),
    qualification: decision?.status === 'qualified' ? decision.answers : undefined,
    disqualifyReason: decision?.status === 'disqualified' ? decision.reason : undefined,
    freeTrialStartedAt: latestStart('freeTrial'),
    testDriveStartedAt: latestStart('testDrive'),
  };
}
