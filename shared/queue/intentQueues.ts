/** The alert and hand-off queues as processing and the sales API put intents on them (record/intents.ts). */
import type { IntentQueues } from '../record/intents';
import { once, queueClient } from '../storage/clients';
import type { StorageConnection } from '../storage/connection';
import { STORAGE_DEADLINES } from '../storage/deadline';
import { encodeAlertMessage } from './alertEnvelope';
import { encodeHandOff } from './handOffEnvelope';

function sender(connection: StorageConnection, name: string, deadlineMs: number): (text: string) => Promise<void> {
  const client = queueClient(connection, name, deadlineMs);
  const ensureQueue = once(() => client.createIfNotExists());
  return async (text) => {
    await ensureQueue();
    // Never expire, as leads: an alert or a hand-off is only ever late, not lost.
    await client.sendMessage(text, { messageTimeToLive: -1 });
  };
}

/** A queue name left undefined switches its intents off: the feature is off (config/delivery.ts IntentSwitches). */
export function intentQueues(
  connection: StorageConnection,
  names: { alertQueue?: string; handOffQueue?: string },
  deadlineMs: number = STORAGE_DEADLINES.background,
): IntentQueues {
  const alert = names.alertQueue === undefined ? undefined : sender(connection, names.alertQueue, deadlineMs);
  const handOff = names.handOffQueue === undefined ? undefined : sender(connection, names.handOffQueue, deadlineMs);
  return {
    alert: alert && ((message) => alert(encodeAlertMessage(message))),
    handOff: handOff && ((message) => handOff(encodeHandOff(message))),
  };
}
