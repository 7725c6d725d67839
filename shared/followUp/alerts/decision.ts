/**
 * Whether an arrival alerts the lead's owner at once. Two cases are worth interrupting someone for:
 *  - a new real lead: the record's first lead sales should follow up (a brand-new record, or a record that so far
 *    held only do-not-contact or unrecognised leads, which nobody was ever asked to follow up);
 *  - a customer nobody has contacted yet (status `new`) moving further: interest → trial → active.
 * Never for a test lead, a do-not-contact lead, an unrecognised payload or an erased record, and never when the
 * arrival changes nothing (a redelivered message or a repeated POST projects to the same record).
 *
 * Pure: it compares the record before and after the arrival was folded in, so processing the same event twice
 * decides the same way, and the second time (before = after) decides "no alert".
 */
import { type Stage, STAGE_RANK } from '../../marketplace/stage';
import { ERASED_FLAG, type LeadArrivalEvent, type LeadRecord } from '../../record/model';

export type AlertReason = 'newLead' | 'stageRaised';

export type SilentReason =
  'switchedOff' | 'test' | 'doNotContact' | 'unrecognised' | 'erased' | 'contacted' | 'nothingNew';

export type AlertDecision =
  | { alert: true; reason: AlertReason; stage: AlertStage; previousStage?: AlertStage }
  | { alert: false; reason: SilentReason };

/** The stages an alert can name: a do-not-contact lead never alerts. */
export type AlertStage = Exclude<Stage, 'doNotContact'>;

export interface AlertChange {
  /** The record as stored before this arrival; undefined when the arrival created it. */
  before: LeadRecord | undefined;
  /** The record with the arrival folded in. */
  after: LeadRecord;
  event: LeadArrivalEvent;
}

function isErased(flags: readonly string[]): boolean {
  return flags.includes(ERASED_FLAG);
}

/** A record sales were already asked to follow up: a real stage, a recognised lead, not erased. */
function hadRealLead(record: LeadRecord | undefined): record is LeadRecord {
  return record !== undefined && !record.doNotContact && !record.unrecognised && !isErased(record.flags);
}

/** `onNewLead` is ALERT_ON_NEW_LEAD: false silences every alert. */
export function decideAlert(change: AlertChange, settings: { onNewLead: boolean }): AlertDecision {
  const { before, after, event } = change;
  if (!settings.onNewLead) return { alert: false, reason: 'switchedOff' };
  // A test lead marks its whole record as a test (projection: isTest is any arrival's), so both are checked.
  if (event.isTest || after.isTest) return { alert: false, reason: 'test' };
  if (isErased(event.flags) || isErased(after.flags)) return { alert: false, reason: 'erased' };
  if (event.unrecognised || after.unrecognised) return { alert: false, reason: 'unrecognised' };
  if (event.stage === 'doNotContact' || after.stage === 'doNotContact') return { alert: false, reason: 'doNotContact' };
  // Arrivals never change the status, but a record someone reset to "new" is uncontacted again and alerts again.
  if (after.status !== 'new') return { alert: false, reason: 'contacted' };

  const stage = after.stage;
  if (!hadRealLead(before)) return { alert: true, reason: 'newLead', stage };
  const previousStage = before.stage;
  // (A record with a real lead is never doNotContact; the check narrows the type.)
  if (previousStage === 'doNotContact' || STAGE_RANK[stage] <= STAGE_RANK[previousStage])
    return { alert: false, reason: 'nothingNew' };
  return { alert: true, reason: 'stageRaised', stage, previousStage };
}
