/** The `leads-incoming` queue as the HTTP trigger sees it: one durable send. */
import type { AppConfig } from '../config';
import { once, queueClient } from '../storage/clients';

export interface LeadQueue {
  enqueue: (message: string) => Promise<void>;
}

export function leadQueue(config: AppConfig): LeadQueue {
  const client = queueClient(config.storageConnectionString, config.queueName);
  const ensureQueue = once(() => client.createIfNotExists());
  return {
    enqueue: async (message) => {
      await ensureQueue();
      // Never expire: the default 7-day time-to-live would silently drop a lead nobody processed in a week.
      await client.sendMessage(message, { messageTimeToLive: -1 });
    },
  };
}
