import type { LeadRecord } from '../../record/model';
import { type FollowUpPolicy, rebuildLead } from '../../record/rebuild';
import type { RecordStore } from '../../record/recordStore';
import type { ReminderLog } from '../runReminders';
import { errorText } from './candidate';
import { identityOf } from './runReads';

/**
 * After an entry is gone, the rebuild brings the record (remindedAt, status) and the rest of its index in line.
 * If it fails, nothing is lost or sent twice: the history already holds every event, and the lead's next change
 * (a lead, a status, any rebuild) projects the record again.
 */
export async function rebuildOrWarn(
  store: RecordStore,
  log: ReminderLog,
  record: LeadRecord,
  policy: FollowUpPolicy,
): Promise<void> {
  try {
    await rebuildLead(store, identityOf(record), policy);
  } catch (e) {
    log.warn(
      `Lead ${record.leadId}: its record could not be brought up to date (${errorText(e)}); its next change does that`,
    );
  }
}
