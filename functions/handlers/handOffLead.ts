import type { InvocationContext } from '@azure/functions';

import { handOffSettings, prepare, valueOrThrow } from '../../shared/config';
import { parseHandOff } from '../../shared/queue/handOffEnvelope';
import { createRecordStore } from '../../shared/record/recordStore';
import { sendCrmWebhook } from '../../shared/sell/crm/crmSender';
import { handOffLead, tableHandOffState } from '../../shared/sell/crm/handOff';
import { once, queueClient, tableClient } from '../../shared/storage/clients';
import { STORAGE_DEADLINES } from '../../shared/storage/deadline';

const ready = prepare(handOffSettings, (config) => {
  const poison = queueClient(config.storageConnection, config.handOff.poisonQueueName, STORAGE_DEADLINES.background);
  const ensurePoison = once(() => poison.createIfNotExists());
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
  };
});

export async function handler(message: unknown, context: InvocationContext): Promise<void> {
  // A throw (settings wrong, storage down, the receiver asking for a retry) leaves the message for a retry, then
  // the poison queue.
  const { config, store, state, poison } = valueOrThrow(ready());
  const parsed = parseHandOff(message);
  if (!parsed.ok)
    throw new Error(`Hand-off message ${String(context.triggerMetadata?.id)} is malformed: ${parsed.reason}`);
  const what = `Hand-off of lead ${parsed.message.leadId} v${parsed.message.version}`;
  const webhook = config.handOff.webhook;
  if (webhook === undefined) {
    context.log(`${what} not sent: WEBHOOK_URL is not set`);
    return;
  }
  const outcome = await handOffLead(parsed.message, {
    records: store,
    state,
    send: (delivery) => sendCrmWebhook(webhook, delivery),
    poison,
  });
  // Results name the receiver's host class only (crmSender.ts), never the URL.
  if (outcome.kind === 'delivered') context.log(`${what} delivered (HTTP ${outcome.status}, ${outcome.id})`);
  else if (outcome.kind === 'skipped') context.log(`${what} skipped: ${outcome.why}`);
  else context.error(`ALERT: ${what} refused for good, moved to ${config.handOff.poisonQueueName}: ${outcome.message}`);
}
