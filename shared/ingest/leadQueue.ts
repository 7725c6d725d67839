/** The `leads-incoming` queue as the HTTP trigger sees it: one durable send. */
import type { AppConfig } from '../config';
import { once, queueClient } from '../storage/clients';

export function leadQueue(config: AppConfig): { enqueue(message: string): Promise<void>; ping(): Promise<void> } {
  const client = queueClient(config.storageConnectionString, config.queueName);
  const ensureQueue = once(() => client.createIfNotExists());
  return {
    async enqueue(message) {
      await ensureQueue();
      await client.sendMessage(message);
    },
    async ping() {
      await client.getProperties();
    },
  };
}
