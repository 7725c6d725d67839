/** The `leads-incoming` queue as the HTTP trigger sees it: one durable send. */
import { RestError } from '@azure/storage-queue';

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
  const createQueue = once(() => client.createIfNotExists());
  // Never expire: the default 7-day time-to-live would silently drop a lead nobody processed in a week.
  const send = async (message: string): Promise<void> =>
    void (await client.sendMessage(message, { messageTimeToLive: -1 }));
  return {
    // The queue exists except before the very first lead: it is created when a send finds it missing instead of
    // checked on every cold start, so the first lead after one waits for one round trip, not two.
    enqueue: async (message) => {
      try {
        await send(message);
      } catch (e) {
        if (!isQueueNotFound(e)) throw e;
        await createQueue();
        await send(message);
      }
    },
    reachable: async () => {
      await client.exists();
    },
  };
}

function isQueueNotFound(e: unknown): boolean {
  return e instanceof RestError && e.statusCode === 404 && e.code === 'QueueNotFound';
}
