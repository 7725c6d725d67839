/**
 * Copies of a person's lead outside their record: rows of RejectedLeads and messages in `<queue>-poison`. Neither
 * is keyed by person, so both are scanned, and each copy is parsed and compared field by field (copyMatch.ts).
 * Both stores are small by nature (they hold what could not be processed), which is what makes a scan acceptable.
 */
import type { TableClient } from '@azure/data-tables';
import type { QueueClient } from '@azure/storage-queue';

import { copyMatches, isEmpty, type PersonKeys } from './copyMatch';

export async function eraseRejected(table: TableClient, person: PersonKeys): Promise<number> {
  if (isEmpty(person)) return 0;
  let erased = 0;
  try {
    for await (const row of table.listEntities<{ message?: string }>()) {
      if (typeof row.message !== 'string' || !copyMatches(row.message, person)) continue;
      if (row.partitionKey === undefined || row.rowKey === undefined) continue;
      await table.deleteEntity(row.partitionKey, row.rowKey);
      erased++;
    }
  } catch (e) {
    // No rejected table yet: nothing was ever rejected.
    if ((e as { statusCode?: number }).statusCode !== 404) throw e;
  }
  return erased;
}

// Long enough to read the whole queue once; messages not deleted are made visible again at the end.
const HIDE_SECONDS = 120;

/**
 * Receives every message (peek sees only the first 32), deletes the matching ones and releases the rest. Hiding them
 * for the scan delays only keepPoisonedLead, which consumes the poison queue (and an operator's replay). A message
 * keepPoisonedLead holds is hidden from this scan: it ends in PoisonedLeads, which the erasure therefore reads after
 * the queue, and once more at its end (eraseLead.ts).
 */
export async function erasePoison(queue: QueueClient, person: PersonKeys): Promise<number> {
  if (isEmpty(person) || !(await queue.exists())) return 0;
  const seen = new Set<string>();
  const release: { id: string; popReceipt: string }[] = [];
  let erased = 0;
  try {
    for (;;) {
      const { receivedMessageItems } = await queue.receiveMessages({
        numberOfMessages: 32,
        visibilityTimeout: HIDE_SECONDS,
      });
      const fresh = receivedMessageItems.filter((m) => !seen.has(m.messageId));
      if (fresh.length === 0) break;
      for (const m of fresh) {
        seen.add(m.messageId);
        if (copyMatches(m.messageText, person)) {
          await queue.deleteMessage(m.messageId, m.popReceipt);
          erased++;
        } else {
          release.push({ id: m.messageId, popReceipt: m.popReceipt });
        }
      }
    }
  } finally {
    // Releasing only shortens the wait: a message whose release fails (storage down, or a receipt a second receive
    // replaced) reappears by itself after HIDE_SECONDS, and the erasure's own outcome must not be lost to it.
    for (const m of release) await queue.updateMessage(m.id, m.popReceipt, undefined, 0).catch(() => undefined);
  }
  return erased;
}
