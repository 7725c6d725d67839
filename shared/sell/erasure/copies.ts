/**
 * Copies of a person's lead outside their record: rows of RejectedLeads and messages in `<queue>-poison`. Neither
 * is keyed by person, so both are scanned for the person's email address. Both stores are small by nature (they
 * hold what could not be processed), which is what makes a scan acceptable here.
 */
import type { TableClient } from '@azure/data-tables';
import type { QueueClient } from '@azure/storage-queue';

export function containsAny(text: string, terms: readonly string[]): boolean {
  const lower = text.toLowerCase();
  return terms.some((t) => lower.includes(t));
}

/** A queue message as the app wrote it (base64, which the trigger expects) or as someone else did (plain text). */
export function messageTexts(messageText: string): string[] {
  if (/^[A-Za-z0-9+/]*={0,2}$/.test(messageText) && messageText.length % 4 === 0) {
    return [messageText, Buffer.from(messageText, 'base64').toString('utf8')];
  }
  return [messageText];
}

export async function eraseRejected(table: TableClient, terms: readonly string[]): Promise<number> {
  if (terms.length === 0) return 0;
  let erased = 0;
  try {
    for await (const row of table.listEntities<{ message?: string; reason?: string }>()) {
      const text = `${row.message ?? ''}\n${row.reason ?? ''}`;
      if (!containsAny(text, terms) || row.partitionKey === undefined || row.rowKey === undefined) continue;
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
 * Receives every message (peek sees only the first 32), deletes the matching ones and releases the rest. Nothing
 * consumes the poison queue but an operator's replay, so hiding messages for the scan delays nobody.
 */
export async function erasePoison(queue: QueueClient, terms: readonly string[]): Promise<number> {
  if (terms.length === 0 || !(await queue.exists())) return 0;
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
        if (messageTexts(m.messageText).some((t) => containsAny(t, terms))) {
          await queue.deleteMessage(m.messageId, m.popReceipt);
          erased++;
        } else {
          release.push({ id: m.messageId, popReceipt: m.popReceipt });
        }
      }
    }
  } finally {
    for (const m of release) await queue.updateMessage(m.id, m.popReceipt, undefined, 0).catch(() => undefined);
  }
  return erased;
}
