import { handOverChange, warnIfHandOffWaits } from '../../record/changeHandOff';
import type { IntentQueues } from '../../record/intents';
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
 *
 * A hand-off intent still in the partition is queued again (changeHandOff.ts): an earlier run that stored its event
 * and crashed before queueing the hand-off left it there, and this run stores no event of its own for that lead.
 */
export async function rebuildOrWarn(
  deps: { store: RecordStore; log: ReminderLog; queues?: IntentQueues },
  record: LeadRecord,
  policy: FollowUpPolicy,
): Promise<void> {
  const { store, log } = deps;
  try {
    const rebuilt = await rebuildLead(store, identityOf(record), policy);
    const handOver = await handOverChange(deps.queues, { pending: rebuilt.pending });
    warnIfHandOffWaits((line) => log.warn(line), record.leadId, handOver);
  } catch (e) {
    log.warn(
      `Lead ${record.leadId}: its record could not be brought up to date (${errorText(e)}); its next change does that`,
    );
  }
}
