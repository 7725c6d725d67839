/**
 * `npm run replay-poison`: after a fix, sends every poisoned lead back to the lead queue so the processor takes it
 * again: those kept in the PoisonedLeads table (where `keepPoisonedLead` puts each poison message, since the host's
 * copies expire after 7 days), and any message still waiting in `<queue>-poison` or `<queue>-poison-poison`.
 * Processing is idempotent (the event row is keyed by the envelope id), so replaying a message that partly landed
 * before it was poisoned, or replaying twice, still leaves one event. `--dry-run` only counts.
 *
 * Alert and hand-off messages go back to their own queues the same way (kept in PoisonedLeads under their queue's
 * partition, or still waiting in `<queue>-poison`): delivery marks each channel and version it sent, so a replay
 * sends only what did not go out (docs/alerts.md, docs/crm.md).
 */
import path from 'node:path';

import type { QueueClient } from '@azure/storage-queue';

import { applyLocalSettings } from '../local-host/src/localSettings';
import {
  alertQueueBindingName,
  appSettings,
  erasureSettings,
  handOffQueueBindingName,
  valueOrThrow,
} from '../shared/config';
import { handOffToReplay } from '../shared/queue/handOffEnvelope';
import { countKeptPoisoned, DELIVERY_QUEUES, type DeliveryQueue, keptPoisoned } from '../shared/queue/poisoned';
import { queueClient, tableClient } from '../shared/storage/clients';
import { STORAGE_DEADLINES } from '../shared/storage/deadline';

export interface ReplayReport {
  /** Messages moved from the poison queues. */
  moved: number;
  /** Kept leads sent back from the PoisonedLeads table. */
  replayed: number;
  failed: number;
  /** Messages left in the poison queues plus rows left in the table. */
  remaining: number;
  /** The same for alert and hand-off messages, sent back to their own queues. */
  deliveries: { moved: number; replayed: number; remaining: number };
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function waiting(queue: QueueClient): Promise<number> {
  return (await queue.exists()) ? ((await queue.getProperties()).approximateMessagesCount ?? 0) : 0;
}

/** What goes back on a queue in place of a poisoned message's text (decoded); the text itself by default. */
type Replayed = (text: string) => string;
const asItIs: Replayed = (text) => text;
/** A hand-off goes back without the tries its copies made (handOffEnvelope.ts). */
const replayedText: Record<DeliveryQueue, Replayed> = { alerts: asItIs, handOffs: handOffToReplay };

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

export interface MoveOptions {
  replayed?: Replayed;
  /** How long a received message stays hidden while it is moved (a minute; tests shorten it). */
  hideSeconds?: number;
}

/**
 * Moves every message of `source` to `target`: send first, delete second, so a crash repeats, never loses. Each
 * message is tried once per run: one that failed, or whose batch outlasted its hiding, comes back, and a batch of
 * nothing but those ends the run (else a target that times out kept it going round until Ctrl-C); what is left is
 * counted for the next run.
 */
export async function moveAll(
  source: QueueClient,
  target: QueueClient,
  log: (line: string) => void,
  { replayed = asItIs, hideSeconds = 60 }: MoveOptions = {},
): Promise<{ moved: number; failed: number }> {
  let moved = 0;
  let failed = 0;
  if (!(await source.exists())) return { moved, failed };
  const tried = new Set<string>();
  for (;;) {
    // Hidden for a minute while we copy: a crash here makes them reappear in the poison queue, not vanish.
    const { receivedMessageItems } = await source.receiveMessages({
      numberOfMessages: 32,
      visibilityTimeout: hideSeconds,
    });
    const fresh = receivedMessageItems.filter((m) => !tried.has(m.messageId));
    if (fresh.length === 0) {
      if (receivedMessageItems.length > 0)
        log(`${source.name}: stopped at messages already tried; ${failed} not moved, left for the next run`);
      break;
    }
    for (const m of fresh) {
      tried.add(m.messageId);
      try {
        // Sent as it was unless `replayed` changes it: a message that is not base64 (it reached poison without a
        // function taking it) is never decoded and encoded again.
        const decoded = Buffer.from(m.messageText, 'base64').toString('utf8');
        const again = replayed(decoded);
        const text = again === decoded ? m.messageText : base64(again);
        await target.sendMessage(text, { messageTimeToLive: -1 });
        await source.deleteMessage(m.messageId, m.popReceipt);
        moved++;
      } catch (e) {
        failed++;
        log(`Message ${m.messageId} not moved: ${errorText(e)}`);
      }
    }
  }
  return { moved, failed };
}

/** The queues and the table it moves between, or an error naming the settings that are wrong. */
const queuesAndTable = () => valueOrThrow(erasureSettings(appSettings()));

export async function replayPoison(options: { dryRun: boolean; log: (line: string) => void }): Promise<ReplayReport> {
  const config = queuesAndTable();
  const client = (name: string): QueueClient =>
    queueClient(config.storageConnection, name, STORAGE_DEADLINES.background);
  const poisonOf = (name: string): QueueClient[] => [client(`${name}-poison`), client(`${name}-poison-poison`)];
  const target = client(config.queueName);
  const poisonQueues = poisonOf(config.queueName);
  // The names the delivery functions bind to (as they do, from the settings or their defaults).
  const deliveryNames: Record<DeliveryQueue, string> = {
    alerts: alertQueueBindingName(process.env),
    handOffs: handOffQueueBindingName(process.env),
  };
  const kept = tableClient(config.storageConnection, config.tables.poisoned, STORAGE_DEADLINES.background);
  const waitingIn = async (queues: QueueClient[]): Promise<number> =>
    (await Promise.all(queues.map(waiting))).reduce((a, b) => a + b, 0);
  const count = async (): Promise<number> => (await waitingIn(poisonQueues)) + (await countKeptPoisoned(kept));
  const countDeliveries = async (): Promise<number> => {
    let total = 0;
    for (const queue of DELIVERY_QUEUES)
      total += (await waitingIn(poisonOf(deliveryNames[queue]))) + (await countKeptPoisoned(kept, 1000, queue));
    return total;
  };
  if (options.dryRun)
    return {
      moved: 0,
      replayed: 0,
      failed: 0,
      remaining: await count(),
      deliveries: { moved: 0, replayed: 0, remaining: await countDeliveries() },
    };
  await target.createIfNotExists();

  let moved = 0;
  let failed = 0;
  for (const queue of poisonQueues) {
    const result = await moveAll(queue, target, options.log);
    moved += result.moved;
    failed += result.failed;
  }
  const deliveries = { moved: 0, replayed: 0, remaining: 0 };
  const deliveryTargets = new Map<DeliveryQueue, QueueClient>();
  for (const queue of DELIVERY_QUEUES) {
    const queueTarget = client(deliveryNames[queue]);
    deliveryTargets.set(queue, queueTarget);
    for (const poison of poisonOf(deliveryNames[queue])) {
      if (!(await poison.exists())) continue;
      await queueTarget.createIfNotExists();
      const result = await moveAll(poison, queueTarget, options.log, { replayed: replayedText[queue] });
      deliveries.moved += result.moved;
      failed += result.failed;
    }
  }
  let replayed = 0;
  for await (const message of keptPoisoned(kept)) {
    const to = message.queue === undefined ? target : deliveryTargets.get(message.queue);
    if (to === undefined) continue;
    try {
      // The row goes only once the message is back on its queue: a crash in between replays it twice, which
      // processing and delivery absorb.
      if (message.queue !== undefined) await to.createIfNotExists();
      const text = message.queue === undefined ? message.text : replayedText[message.queue](message.text);
      await to.sendMessage(base64(text), { messageTimeToLive: -1 });
      await kept.deleteEntity(String(message.keys.partitionKey), String(message.keys.rowKey));
      if (message.queue === undefined) replayed++;
      else deliveries.replayed++;
    } catch (e) {
      failed++;
      options.log(`Kept message ${message.envelopeId ?? message.messageId} not replayed: ${errorText(e)}`);
    }
  }
  deliveries.remaining = await countDeliveries();
  return { moved, replayed, failed, remaining: await count(), deliveries };
}

if (require.main === module) {
  const log = (line: string): void => console.log(line);
  applyLocalSettings(path.resolve(__dirname, '..', '..'), log);
  const dryRun = process.argv.includes('--dry-run');
  replayPoison({ dryRun, log }).then(
    (r) => {
      const config = queuesAndTable();
      log(
        dryRun
          ? `${r.remaining} poisoned lead(s) waiting in ${config.poisonQueueName} and ${config.tables.poisoned} (dry run, nothing moved)`
          : `Sent ${r.moved + r.replayed} poisoned lead(s) back to ${config.queueName} (${r.moved} from ${config.poisonQueueName}, ${r.replayed} kept in ${config.tables.poisoned}); ${r.failed} failed; ${r.remaining} left`,
      );
      const d = r.deliveries;
      if (d.moved + d.replayed + d.remaining > 0)
        log(
          dryRun
            ? `${d.remaining} poisoned alert and hand-off message(s) waiting (dry run, nothing moved)`
            : `Sent ${d.moved + d.replayed} poisoned alert and hand-off message(s) back to their queues (${d.moved} from their poison queues, ${d.replayed} kept in ${config.tables.poisoned}); ${d.remaining} left`,
        );
      process.exit(r.failed > 0 ? 1 : 0);
    },
    (e: unknown) => {
      console.error(errorText(e));
      process.exit(1);
    },
  );
}
