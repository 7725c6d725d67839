/**
 * The CRM hand-off of a change made outside processing (status, attempt, restart, contact link, reminder run,
 * erasure), wired from the settings: the save's effect (saveEffects.ts changeEffects) and the hand-off queue.
 * Nothing is handed off while WEBHOOK_URL is not set. While it is set but the hand-off settings are wrong, the
 * hand-off is queued all the same and waits with handOffLead, which fails naming them and keeps the message once
 * poisoned; the change never waits for them.
 */
import type { Clock } from '../clock';
import { processingEffectSettings, type Settings } from '../config';
import { changeEffects } from '../followUp/saveEffects';
import type { ChangeHandOff } from '../record/changeHandOff';
import type { StorageConnection } from '../storage/connection';
import { STORAGE_DEADLINES } from '../storage/deadline';
import { intentQueues } from './intentQueues';

export function changeHandOffFrom(
  settings: Settings,
  connection: StorageConnection,
  clock: Clock,
  deadlineMs: number = STORAGE_DEADLINES.background,
): ChangeHandOff {
  const { handOffQueue } = processingEffectSettings(settings);
  return {
    effects: changeEffects({ handOff: handOffQueue !== undefined, clock }),
    queues: intentQueues(connection, { handOffQueue }, deadlineMs),
  };
}
