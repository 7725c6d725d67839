import type { LeadRecord } from '../../record/model';
import type { FollowUpEntry } from '../../record/recordStore';
import type { NurtureTouch } from '../cadence';
import type { RoutableLead } from '../routing';

/** A due entry that is a live reminder: its record, and everyone who must get it. */
export interface Candidate extends RoutableLead {
  entry: FollowUpEntry;
  record: LeadRecord;
  recipients: string[];
  /** For a `nurture` entry: the touch it reminds of, as the lead's history says now. */
  touch?: NurtureTouch;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
