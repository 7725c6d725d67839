import type { InvocationContext } from '@azure/functions';

import { systemClock } from '../../shared/clock';
import { handOffQueueBindingName, keepPoisonedSettings, prepare, valueOrThrow } from '../../shared/config';
import { keepPoisoned } from '../../shared/queue/poisoned';
import { queueClient, tableClient } from '../../shared/storage/clients';
import { STORAGE_DEADLINES } from '../../shared/storage/deadline';

const poisonQueueName = `${handOffQueueBindingName(process.env)}-poison`;

const ready = prepare(keepPoisonedSettings, (config) => ({
  config,
  table: tableClient(config.storageConnection, config.tables.poisoned, STORAGE_DEADLINES.background),
  poisonQueue: queueClient(config.storageConnection, poisonQueueName, STORAGE_DEADLINES.background),
}));

/** As keepPoisonedLead does for leads: the host's poison copy expires after 7 days, the kept one does not. */
export async function handler(message: unknown, context: InvocationContext): Promise<void> {
  const { config, table, poisonQueue } = valueOrThrow(ready());
  const triggerId = context.triggerMetadata?.id;
  const id = typeof triggerId === 'string' ? triggerId : context.invocationId;
  const outcome = await keepPoisoned(
    message,
    { messageId: id, dequeueCount: Number(context.triggerMetadata?.dequeueCount ?? 1), queue: 'handOffs' },
    {
      table,
      resend: async (text) => {
        await poisonQueue.sendMessage(Buffer.from(text, 'utf8').toString('base64'), { messageTimeToLive: -1 });
      },
      now: systemClock,
      maxDequeueCount: config.maxDequeueCount,
    },
  );
  if (outcome.kept === 'table') {
    context.warn(
      `ALERT: Hand-off message ${id} failed handOffLead ${config.maxDequeueCount} times; kept in ${config.tables.poisoned}. Fix the cause, then run npm run replay-poison`,
    );
  } else {
    context.error(
      `ALERT: Hand-off message ${id} failed handOffLead and could not be kept in ${config.tables.poisoned} (${outcome.cause}); put back on ${poisonQueueName} without expiry`,
    );
  }
}
