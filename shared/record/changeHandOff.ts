/**
 * A change of a record outside processing (the API, the contact link, a reminder run, an erasure) owes the CRM a
 * hand-off of its new version, as every change does: the save stores it as an intent in the same transaction as the
 * change (followUp/saveEffects.ts changeEffects), and the caller hands it to its queue afterwards with this.
 *
 * These changes have no redelivery to fall back on: when the queue cannot take the message, the change stands, its
 * intent stays in the partition, and the problem is returned so the caller can log it; the lead's next change hands
 * off a newer version, which carries this one's data (docs/crm.md).
 */
import { handOver, type IntentQueues } from './intents';
import type { Rebuilt, SaveEffects } from './rebuild';

/** What a change needs to hand off its new version; both undefined while WEBHOOK_URL is not set. */
export interface ChangeHandOff {
  /** What the save owes beyond its own event (saveEffects.ts changeEffects). */
  effects?: SaveEffects;
  queues?: IntentQueues;
}

/**
 * Puts the intents this save stored on their queues. Only those: intents of earlier saves still in the partition
 * are another writer's to hand over (processing's redelivery) or a deliverer's to forget, so this never settles
 * them. Returns why a message could not be queued, or undefined.
 */
export async function handOverChange(
  queues: IntentQueues | undefined,
  saved: Pick<Rebuilt, 'intents'>,
): Promise<string | undefined> {
  try {
    for (const intent of saved.intents ?? []) await handOver(queues ?? {}, intent);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
