import type { LeadRecord } from '../../record/model';
import type { FollowUpEntry } from '../../record/recordStore';
import type { RoutableLead } from '../routing';

/** A due entry that is a live reminder: its record, and everyone who must get it. */
export interface Candidate extends RoutableLead {
  entry: FollowUpEntry;
  record: LeadRecord;
  recipients: string[];
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
