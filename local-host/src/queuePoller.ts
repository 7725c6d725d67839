/**
 * Polls a storage queue for one queue-triggered function with the real host's contract: base64 decoding,
 * batch size and new-batch threshold, `triggerMetadata`, delete on success, visible again after
 * `visibilityTimeout` on a throw, and after `maxDequeueCount` tries the original message goes to `<queue>-poison`.
 */
import { type DequeuedMessageItem, QueueClient, QueueServiceClient } from '@azure/storage-queue';

import type { RpcTypedData } from './coreTypes';
import type { RegisteredFunction } from './functionsCore';
import type { QueueHostSettings } from './hostSettings';
import { type HostLog, invokeFunction } from './invoke';

// How long a message stays hidden while its function runs. The real host renews a 10-minute lease; our functions
// finish in seconds, so a fixed 5 minutes without renewal keeps the same effect: a crash makes it reappear.
const PROCESSING_LEASE_SECONDS = 300;
const MIN_POLL_MS = 100;

export interface QueuePoller {
  functionName: string;
  queueName: string;
  stop(): Promise<void>;
  /** Resolves when nothing is in flight (used by tests and the benchmark). */
  idle(): Promise<void>;
}

export function decodeMessage(text: string, encoding: QueueHostSettings['messageEncoding']): string | undefined {
  if (encoding === 'none') return text;
  // Buffer.from(…, 'base64') silently skips junk, so check that the text really is base64.
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  return Buffer.from(text, 'base64').toString('utf8');
}

function triggerMetadataOf(m: DequeuedMessageItem): Record<string, RpcTypedData> {
  return {
    Id: { string: m.messageId },
    DequeueCount: { json: String(m.dequeueCount) },
    InsertionTime: { json: JSON.stringify(m.insertedOn.toISOString()) },
    ExpirationTime: { json: JSON.stringify(m.expiresOn.toISOString()) },
    NextVisibleTime: { json: JSON.stringify(m.nextVisibleOn.toISOString()) },
    PopReceipt: { string: m.popReceipt },
  };
}

export async function startQueuePoller(
  fn: RegisteredFunction,
  service: QueueServiceClient,
  queueName: string,
  settings: QueueHostSettings,
  log: HostLog,
): Promise<QueuePoller> {
  const queue = service.getQueueClient(queueName);
  const poison: QueueClient = service.getQueueClient(`${queueName}-poison`);
  await queue.createIfNotExists();
  let stopping = false;
  let inFlight = 0;
  let idleWaiters: (() => void)[] = [];
  let delay = MIN_POLL_MS;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;

  const settle = (): void => {
    if (inFlight === 0 && !polling) {
      const waiters = idleWaiters;
      idleWaiters = [];
      waiters.forEach((w) => w());
    }
  };

  async function toPoison(m: DequeuedMessageItem, reason: string): Promise<void> {
    await poison.createIfNotExists();
    await poison.sendMessage(m.messageText);
    await queue.deleteMessage(m.messageId, m.popReceipt);
    log(`[${fn.metadata.name}] message ${m.messageId} moved to ${queueName}-poison: ${reason}`);
  }

  async function handle(m: DequeuedMessageItem): Promise<void> {
    if (m.dequeueCount > settings.maxDequeueCount) {
      await toPoison(m, `dequeued ${m.dequeueCount} times`);
      return;
    }
    const text = decodeMessage(m.messageText, settings.messageEncoding);
    if (text === undefined) {
      await toPoison(
        m,
        'the message is not valid base64 (the trigger expects base64 unless messageEncoding is "none")',
      );
      return;
    }
    const outcome = await invokeFunction(fn, { string: text }, triggerMetadataOf(m), log);
    if (outcome.ok) {
      await queue.deleteMessage(m.messageId, m.popReceipt);
    } else if (m.dequeueCount >= settings.maxDequeueCount) {
      await toPoison(m, `failed ${m.dequeueCount} times, last error: ${outcome.error?.message ?? 'unknown'}`);
    } else {
      await queue.updateMessage(m.messageId, m.popReceipt, undefined, Math.round(settings.visibilityTimeoutMs / 1000));
    }
  }

  // As the Storage extension does: fetch a whole batch whenever at most newBatchThreshold messages are still
  // running, so up to batchSize + newBatchThreshold run at once.
  async function poll(): Promise<void> {
    if (inFlight > settings.newBatchThreshold) return;
    const received = await queue.receiveMessages({
      numberOfMessages: settings.batchSize,
      visibilityTimeout: PROCESSING_LEASE_SECONDS,
    });
    const messages = received.receivedMessageItems;
    delay = messages.length > 0 ? MIN_POLL_MS : Math.min(delay * 2, settings.maxPollingIntervalMs);
    for (const m of messages) {
      inFlight++;
      handle(m)
        .catch((e: unknown) =>
          log(
            `[${fn.metadata.name}] host error on message ${m.messageId}: ${e instanceof Error ? e.message : String(e)}`,
          ),
        )
        .finally(() => {
          inFlight--;
          // A finished message frees room: look for more at once rather than after the back-off.
          if (!stopping) schedule(0);
          settle();
        });
    }
  }

  function schedule(ms: number): void {
    if (stopping || polling) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      polling = poll()
        .catch((e: unknown) => {
          delay = settings.maxPollingIntervalMs;
          log(`[${fn.metadata.name}] cannot read queue ${queueName}: ${e instanceof Error ? e.message : String(e)}`);
        })
        .finally(() => {
          polling = undefined;
          schedule(delay);
          settle();
        });
    }, ms);
  }

  schedule(0);
  return {
    functionName: fn.metadata.name,
    queueName,
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      await polling;
      while (inFlight > 0) await new Promise((r) => setTimeout(r, 20));
    },
    idle: () => new Promise<void>((resolve) => (inFlight === 0 && !polling ? resolve() : idleWaiters.push(resolve))),
  };
}
