import type { InvocationContext } from '@azure/functions';

import { handOffSettings, prepare, valueOrThrow } from '../../shared/config';
import { dequeueCountOf } from '../../shared/queue/dequeueCount';
import { encodeHandOff, type HandOffEnvelope, parseHandOff } from '../../shared/queue/handOffEnvelope';
import { intentRowKey } from '../../shared/record/intents';
import { createRecordStore } from '../../shared/record/recordStore';
import { sendCrmWebhook } from '../../shared/sell/crm/crmSender';
import { handOffLead, tableHandOffState } from '../../shared/sell/crm/handOff';
import { once, queueClient, tableClient } from '../../shared/storage/clients';
import { STORAGE_DEADLINES } from '../../shared/storage/deadline';

const ready = prepare(handOffSettings, (config) => {
  const poison = queueClient(config.storageConnection, config.handOff.poisonQueueName, STORAGE_DEADLINES.background);
  const ensurePoison = once(() => poison.createIfNotExists());
  const queue = queueClient(config.storageConnection, config.handOff.queueName, STORAGE_DEADLINES.background);
  return {
    config,
    store: createRecordStore(config, STORAGE_DEADLINES.background),
    state: tableHandOffState(
      tableClient(config.storageConnection, config.tables.handOffs, STORAGE_DEADLINES.background),
    ),
    poison: async (text: string) => {
      await ensurePoison();
      await poison.sendMessage(Buffer.from(text, 'utf8').toString('base64'), { messageTimeToLive: -1 });
    },
    defer: async (copy: HandOffEnvelope, delaySeconds: number) => {
      await queue.sendMessage(encodeHandOff(copy), { visibilityTimeout: delaySeconds, messageTimeToLive: -1 });
    },
  };
});

export async function handler(message: unknown, context: InvocationContext): Promise<void> {
  // A throw (settings wrong, storage down, the receiver asking for a retry) leaves the message for a retry, then
  // the poison queue.
  const { config, store, state, poison, defer } = valueOrThrow(ready());
  const parsed = parseHandOff(message);
  if (!parsed.ok)
    throw new Error(`Hand-off message ${String(context.triggerMetadata?.id)} is malformed: ${parsed.reason}`);
  const what = `Hand-off of lead ${parsed.message.leadId} v${parsed.message.version}`;
  const webhook = config.handOff.webhook;
  if (webhook === undefined) {
    context.log(`${what} not sent: WEBHOOK_URL is not set`);
    return;
  }
  const outcome = await handOffLead(
    parsed.message,
    {
      records: store,
      state,
      send: (delivery) => sendCrmWebhook(webhook, delivery),
      poison,
      defer,
      maxTries: config.maxDequeueCount,
      queueRetrySeconds: config.queueRetrySeconds,
    },
    dequeueCountOf(context.triggerMetadata?.dequeueCount),
  );
  // Results name the receiver's host class only (crmSender.ts), never the URL.
  const poisonQueue = config.handOff.poisonQueueName;
  if (outcome.kind === 'delivered') context.log(`${what} delivered (HTTP ${outcome.status}, ${outcome.id})`);
  else if (outcome.kind === 'skipped') context.log(`${what} skipped: ${outcome.why}`);
  else if (outcome.kind === 'deferred')
    context.warn(
      `${what} tried ${outcome.tries} time(s); retried in ${outcome.delaySeconds} s as the receiver asked: ${outcome.message}`,
    );
  else if (outcome.why === 'refused')
    context.error(`ALERT: ${what} refused for good, moved to ${poisonQueue}: ${outcome.message}`);
  else
    context.error(
      `ALERT: ${what} still not taken after ${outcome.tries} tries, moved to ${poisonQueue}: ${outcome.message}`,
    );
  // Taken: processing's intent for this version is forgotten (a redelivered lead message does not queue it again).
  await store.settleIntent(parsed.message.leadId, intentRowKey({ kind: 'handOff', message: parsed.message }));
}
