/**
 * What every message of the app's queues shares: JSON, base64 on the wire (the trigger expects base64 by default,
 * host.json messageEncoding), and a trigger that hands over the decoded text, already JSON-parsed when it was JSON.
 */
export function encodeQueueMessage(message: object): string {
  return Buffer.from(JSON.stringify(message), 'utf8').toString('base64');
}

export type QueueObject = { ok: true; value: Record<string, unknown> } | { ok: false; reason: string };

/** The message as a JSON object, or why it is not one; the caller checks the fields. */
export function queueObject(raw: unknown): QueueObject {
  let value = raw;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return { ok: false, reason: 'the message is not JSON' };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, reason: 'the message is not a JSON object' };
  return { ok: true, value: value as Record<string, unknown> };
}
