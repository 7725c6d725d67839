import type { InvocationContext } from '@azure/functions';

import { systemClock } from '../../shared/clock';
import { keepPoisonedSettings, prepare, valueOrThrow } from '../../shared/config';
import { keepPoisoned } from '../../shared/queue/poisoned';
import { queueClient, tableClient } from '../../shared/storage/clients';
import { STORAGE_DEADLINES } from '../../shared/storage/deadline';

const ready = prepare(keepPoisonedSettings, (config) => ({
  config,
  table: tableClient(config.storageConnection, config.tables.poisoned, STORAGE_DEADLINES.background),
  poisonQueue: queueClient(config.storageConnection, config.poisonQueueName, STORAGE_DEADLINES.background),
}));

export async function handler(message: unknown, context: InvocationContext): Promise<void> {
  // A throw (the settings are wrong) leaves the message in the poison queue for the host's next try.
  const { config, table, poisonQueue } = valueOrThrow(ready());
  const id = context.triggerMetadata?.id;
  const count = context.triggerMetadata?.dequeueCount;
  const outcome = await keepPoisoned(
    message,
    { messageId: typeof id === 'string' ? id : context.invocationId, dequeueCount: Number(count ?? 1) },
    {
      table,
      // Base64, as the trigger expects; no expiry, unlike the copy the host made.
      resend: async (text) => {
        await poisonQueue.sendMessage(Buffer.from(text, 'utf8').toString('base64'), { messageTimeToLive: -1 });
      },
      now: systemClock,
      maxDequeueCount: config.maxDequeueCount,
    },
  );
  const what = outcome.envelopeId ? `Lead ${outcome.envelopeId}` : `Message ${String(id)}`;
  // An alert for operators: ids only, never the lead's content.
  if (outcome.kept === 'table') {
    context.warn(
      `ALERT: ${what} failed processing ${config.maxDequeueCount} times; kept in ${config.tables.poisoned}. Fix the cause, then run npm run replay-poison`,
    );
  } else {
    context.error(
      `ALERT: ${what} failed processing and could not be kept in ${config.tables.poisoned} (${outcome.cause}); put back on ${config.poisonQueueName} without expiry`,
    );
  }
}
