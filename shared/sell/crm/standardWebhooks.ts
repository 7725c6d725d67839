/**
 * Signing as the Standard Webhooks specification (standardwebhooks.com, v1.0.0) says, so receivers can use any of
 * its libraries, or a few lines of their own, to check that a delivery came from us and was not replayed:
 *
 *   webhook-id         the delivery's id, the same on every retry: the receiver's idempotency key
 *   webhook-timestamp  the attempt's time, integer seconds since the epoch: a receiver refuses old ones
 *   webhook-signature  `v1,<base64 HMAC-SHA256 over "{id}.{timestamp}.{body}">`, space-separated when signed with
 *                      more than one key (while a secret is being rotated)
 *
 * The secret is shared as `whsec_` + base64 of 24 to 64 random bytes; the HMAC key is those bytes, not the text.
 * Node's own HMAC does the work; the tests check it against the specification's published example and verify
 * deliveries with the specification's reference library.
 */
import { createHmac } from 'node:crypto';

const PREFIX = 'whsec_';
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// Neither may hold a '.', which would make "{id}.{timestamp}.{body}" ambiguous.
const MESSAGE_ID = /^[A-Za-z0-9_-]{1,128}$/;

export type SecretCheck = { ok: true; key: Buffer } | { ok: false; problem: string };

/** The HMAC key from a `whsec_…` secret. Problems never repeat the secret. */
export function parseWebhookSecret(secret: string): SecretCheck {
  const text = secret.trim();
  const encoded = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : text;
  if (encoded === '') return { ok: false, problem: 'is empty' };
  if (!BASE64.test(encoded))
    return { ok: false, problem: `must be "${PREFIX}" followed by base64 (A–Z, a–z, 0–9, +, /, = padding)` };
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES)
    return {
      ok: false,
      problem: `must hold ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} random bytes, base64-encoded (it holds ${key.length})`,
    };
  return { ok: true, key };
}

/** A new secret in the specification's format, for docs and set-up scripts. */
export function formatWebhookSecret(key: Buffer): string {
  return `${PREFIX}${key.toString('base64')}`;
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * The three headers for one attempt. `keys`: the current key first, then any previous one still accepted.
 * `body` is the exact text sent: a receiver verifies the bytes it got, before parsing them.
 */
export function signWebhook(
  delivery: { id: string; body: string },
  attemptAt: Date,
  keys: readonly Buffer[],
): SignedHeaders {
  if (!MESSAGE_ID.test(delivery.id)) throw new RangeError('A webhook id is 1–128 letters, digits, "_" or "-"');
  if (keys.length === 0) throw new RangeError('A webhook needs a signing key');
  const timestamp = Math.floor(attemptAt.getTime() / 1000);
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError('The attempt time is not a valid date');
  const signed = `${delivery.id}.${timestamp}.${delivery.body}`;
  const signatures = keys.map((key) => `v1,${createHmac('sha256', key).update(signed, 'utf8').digest('base64')}`);
  return {
    'webhook-id': delivery.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatures.join(' '),
  };
}
