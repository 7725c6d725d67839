import type { InvocationContext } from '@azure/functions';

import { systemClock } from '../../shared/clock';
import { keepPoisonedLastTrySettings, keepPoisonedSettings, prepare, valueOrThrow } from '../../shared/config';
import { keepPoisoned, misconfiguredTable } from '../../shared/queue/poisoned';
import { queueClient, tableClient } from '../../shared/storage/clients';
import { STORAGE_DEADLINES } from '../../shared/storage/deadline';

const ready = prepare(keepPoisonedLastTrySettings, (config) => ({
  config,
  poisonQueue: queueClient(config.storageConnection, config.poisonQueueName, STORAGE_DEADLINES.background),
}));
const kept = prepare(keepPoisonedSettings, (config) => ({
  tableName: config.tables.poisoned,
  table: tableClient(config.storageConnection, config.tables.poisoned, STORAGE_DEADLINES.background),
}));

export async function handler(message: unknown, context: InvocationContext): Promise<void> {
  // Without storage, the poison queue or the tries nothing can keep the message: the throw leaves it to the host,
  // which moves it on after its tries (docs/storage.md). Wrong table settings only fail the table, as if it were down.
  const { config, poisonQueue } = valueOrThrow(ready());
  const keeping = kept();
  const { tableName, table } = keeping.ok
    ? keeping.value
    : { tableName: 'PoisonedLeads', table: misconfiguredTable(keeping.problems) };
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
  // An alert for operators: ids and setting names only, never the lead's content or a setting's value.
  if (outcome.kept === 'table') {
    context.warn(
      `ALERT: ${what} failed processing ${config.maxDequeueCount} times; kept in ${tableName}. Fix the cause, then run npm run replay-poison`,
    );
  } else {
    context.error(
      `ALERT: ${what} failed processing and could not be kept in ${tableName} (${outcome.cause}); put back on ${config.poisonQueueName} without expiry`,
    );
  }
}
