/** What one reminder run reads of each lead, read once and shared by its phases. */
import type { LeadEvent, LeadRecord } from '../../record/model';
import { projectLead } from '../../record/projection';
import type { LeadIdentity } from '../../record/rebuild';
import type { RecordStore } from '../../record/recordStore';

export interface RunReads {
  eventsOf(leadId: string): Promise<LeadEvent[]>;
  /**
   * The record as its events say it is. A writer appends an event and then rebuilds; if it crashed in between (a
   * contact recorded, the record not yet rebuilt), the stored record is stale, and mailing on it would remind sales
   * of a lead they already called. The events are read anyway for the digest's history.
   */
  recordOf(leadId: string): Promise<LeadRecord | undefined>;
}

export function identityOf(record: LeadRecord): LeadIdentity {
  return { leadId: record.leadId, offerKey: record.offerKey, identityKind: record.identityKind };
}

export function runReads(store: RecordStore): RunReads {
  const records = new Map<string, LeadRecord | undefined>();
  const events = new Map<string, LeadEvent[]>();
  const eventsOf = async (leadId: string): Promise<LeadEvent[]> => {
    let list = events.get(leadId);
    if (list === undefined) {
      list = await store.listEvents(leadId);
      events.set(leadId, list);
    }
    return list;
  };
  const recordOf = async (leadId: string): Promise<LeadRecord | undefined> => {
    if (!records.has(leadId)) {
      const stored = (await store.getRecord(leadId))?.record;
      records.set(leadId, stored && projectLead(identityOf(stored), await eventsOf(leadId)));
    }
    return records.get(leadId);
  };
  return { eventsOf, recordOf };
}
