/** The `leads-incoming` queue as the HTTP trigger sees it: one durable send. */
import type { QueueSettings, StorageSettings } from '../config';
import { once, queueClient } from '../storage/clients';
import { STORAGE_DEADLINES } from '../storage/deadline';

export interface LeadQueue {
  enqueue: (message: string) => Promise<void>;
  /** Reaches the queue service; the queue itself may not exist before the first lead. */
  reachable: () => Promise<void>;
}

/** The deadline defaults to ingest's: a lead that cannot be queued is answered 503 while Microsoft still waits. */
export function leadQueue(
  config: StorageSettings & QueueSettings,
  deadlineMs: number = STORAGE_DEADLINES.ingest,
): LeadQueue {
  const client = queueClient(config.storageConnection, config.queueName, deadlineMs);
  const ensureQueue = once(() => client.createIfNotExists());
  return {
    enqueue: async (message) => {
      await ensureQueue();
      // Never expire: the default 7-day time-to-live would silently drop a lead nobody processed in a week.
      await client.sendMessage(message, { messageTimeToLive: -1 });
    },
    reachable: async () => {
      await client.exists();
    },
  };
}
