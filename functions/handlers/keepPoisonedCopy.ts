import type { InvocationContext } from '@azure/functions';

import { systemClock } from '../../shared/clock';
import { keepPoisonedCopyLastTrySettings, keepPoisonedCopySettings, prepare, valueOrThrow } from '../../shared/config';
import { keepPoisoned, misconfiguredTable } from '../../shared/queue/poisoned';
import { queueClient, tableClient } from '../../shared/storage/clients';
import { STORAGE_DEADLINES } from '../../shared/storage/deadline';

export interface PoisonedQueue {
  /** The poison queue the host moves failed messages to. */
  poisonQueueName: string;
  /** The PoisonedLeads partition its kept copies go to. */
  partition: 'alerts' | 'handOffs';
  /** For the operator's alert line: "Alert message", and the function that failed it. */
  what: string;
  failedFunction: string;
}

/** As keepPoisonedLead does for leads: the host's poison copy expires after 7 days, the kept one does not. */
export function keepPoisonedCopy(
  queue: PoisonedQueue,
): (message: unknown, context: InvocationContext) => Promise<void> {
  const ready = prepare(keepPoisonedCopyLastTrySettings, (config) => ({
    config,
    poisonQueue: queueClient(config.storageConnection, queue.poisonQueueName, STORAGE_DEADLINES.background),
  }));
  const kept = prepare(keepPoisonedCopySettings, (config) => ({
    tableName: config.tables.poisoned,
    table: tableClient(config.storageConnection, config.tables.poisoned, STORAGE_DEADLINES.background),
  }));
  return async (message, context) => {
    // As keepPoisonedLead: only storage or the tries being wrong leaves the message to the host.
    const { config, poisonQueue } = valueOrThrow(ready());
    const keeping = kept();
    const { tableName, table } = keeping.ok
      ? keeping.value
      : { tableName: 'PoisonedLeads', table: misconfiguredTable(keeping.problems) };
    const triggerId = context.triggerMetadata?.id;
    const id = typeof triggerId === 'string' ? triggerId : context.invocationId;
    const outcome = await keepPoisoned(
      message,
      { messageId: id, dequeueCount: Number(context.triggerMetadata?.dequeueCount ?? 1), queue: queue.partition },
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
        `ALERT: ${queue.what} ${id} failed ${queue.failedFunction} ${config.maxDequeueCount} times; kept in ${tableName}. Fix the cause, then run npm run replay-poison`,
      );
    } else {
      context.error(
        `ALERT: ${queue.what} ${id} failed ${queue.failedFunction} and could not be kept in ${tableName} (${outcome.cause}); put back on ${queue.poisonQueueName} without expiry`,
      );
    }
  };
}
