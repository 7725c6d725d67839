/**
 * `npm run replay-poison`: after a fix, moves every message from `<queue>-poison` back to the lead queue so the
 * processor takes it again. Processing is idempotent (the event row is keyed by the envelope id), so replaying a
 * message that partly landed before it was poisoned still leaves one event. `--dry-run` only counts.
 */
import path from 'node:path';

import { applyLocalSettings } from '../local-host/src/localSettings';
import { appConfig } from '../shared/config';
import { queueClient } from '../shared/storage/clients';
import { STORAGE_DEADLINES } from '../shared/storage/deadline';

export interface ReplayReport {
  moved: number;
  failed: number;
  remaining: number;
}

export async function replayPoison(options: { dryRun: boolean; log(line: string): void }): Promise<ReplayReport> {
  const config = appConfig();
  const poison = queueClient(config.storageConnectionString, config.poisonQueueName, STORAGE_DEADLINES.background);
  const target = queueClient(config.storageConnectionString, config.queueName, STORAGE_DEADLINES.background);
  if (!(await poison.exists())) return { moved: 0, failed: 0, remaining: 0 };
  const waiting = (await poison.getProperties()).approximateMessagesCount ?? 0;
  if (options.dryRun) return { moved: 0, failed: 0, remaining: waiting };
  await target.createIfNotExists();

  let moved = 0;
  let failed = 0;
  for (;;) {
    // Hidden for a minute while we copy: a crash here makes them reappear in the poison queue, not vanish.
    const { receivedMessageItems } = await poison.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
    if (receivedMessageItems.length === 0) break;
    for (const m of receivedMessageItems) {
      try {
        // Send first, delete second: at worst a message is delivered twice, which processing absorbs.
        await target.sendMessage(m.messageText, { messageTimeToLive: -1 });
        await poison.deleteMessage(m.messageId, m.popReceipt);
        moved++;
      } catch (e) {
        failed++;
        options.log(`Message ${m.messageId} not moved: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  const remaining = (await poison.getProperties()).approximateMessagesCount ?? 0;
  return { moved, failed, remaining };
}

if (require.main === module) {
  const log = (line: string): void => console.log(line);
  applyLocalSettings(path.resolve(__dirname, '..', '..'), log);
  const dryRun = process.argv.includes('--dry-run');
  replayPoison({ dryRun, log }).then(
    (r) => {
      const config = appConfig();
      log(
        dryRun
          ? `${r.remaining} message(s) waiting in ${config.poisonQueueName} (dry run, nothing moved)`
          : `Moved ${r.moved} message(s) from ${config.poisonQueueName} to ${config.queueName}; ${r.failed} failed; ${r.remaining} left`,
      );
      process.exit(r.failed > 0 ? 1 : 0);
    },
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
