/** The `leads-incoming` queue as the HTTP trigger sees it: one durable send. */
import type { QueueSettings, StorageSettings } from '../config';
import { once, queueClient } from '../storage/clients';
import { STORAGE_DEADLINES } from '../storage/deadline';

export interface LeadQueue {
  enqueue: (message: string) => Promise<void>;
}

export function leadQueue(config: StorageSettings & QueueSettings): LeadQueue {
  // Fail fast: a lead that cannot be queued is answered 503 + Retry-After while Microsoft is still waiting.
  const client = queueClient(config.storageConnection, config.queueName, STORAGE_DEADLINES.ingest);
  const ensureQueue = once(() => client.createIfNotExists());
  return {
    enqueue: async (message) => {
      await ensureQueue();
      // Never expire: the default 7-day time-to-live would silently drop a lead nobody processed in a week.
      await client.sendMessage(message, { messageTimeToLive: -1 });
    },
  };
}
