/**
 * What the API adds to a record about nurturing it, computed when read because it depends on the time and the
 * trial lengths configured now: whether the lead is stalled, and its trial window with its label.
 */
import type { TrialSettings } from '../config/nurture';
import { recordIsStalled } from '../followUp/cadence';
import { type TrialView, trialView } from '../followUp/recordTrial';
import type { LeadRecord } from '../record/model';

export interface NurtureView {
  /** The cadence ran through its last step with no reply and no decision: the lead waits for a decision. */
  stalled: boolean;
  /** A free trial or test drive: when it ends, "trial ends in 2 days". */
  trial?: TrialView;
}

export function nurtureView(record: LeadRecord, trials: TrialSettings, now: Date): NurtureView {
  const trial = trialView(record, trials, now);
  return { stalled: recordIsStalled(record.cadence, now), ...(trial === undefined ? {} : { trial }) };
}
