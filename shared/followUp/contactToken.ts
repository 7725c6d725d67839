/**
 * Signed "Mark as contacted" links. The link lands in a mailbox and may be forwarded, so it must name exactly one
 * lead, expire, and be unforgeable without a database lookup: an HMAC over the lead id and the expiry.
 *
 * Token format: `<expiry epoch seconds>.<base64url HMAC-SHA256>`. The expiry travels in clear so the server can
 * tell "expired" from "forged", but the MAC covers it, so changing it makes the token forged.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type ContactTokenCheck = { ok: true } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

export interface ContactLinkSecrets {
  secret: string;
  /** The key before the last rotation: links already sent keep working until they expire. */
  previousSecret?: string;
}

// Versioned domain tag: a MAC made for some other purpose with the same key can never pass as a contact token.
const DOMAIN = 'marketplace-leads/contact/v1';
const TOKEN = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

function mac(leadId: string, expirySeconds: number, secret: string): Buffer {
  // The expiry is digits only and comes last after a NUL, so the split is unambiguous whatever the lead id holds:
  // ("a", 12) and ("a1", 2) never sign the same bytes.
  return createHmac('sha256', secret).update(`${DOMAIN}\0${leadId}\0${expirySeconds}`, 'utf8').digest();
}

export function signContactToken(leadId: string, expiresAt: Date, secret: string): string {
  const expirySeconds = Math.floor(expiresAt.getTime() / 1000);
  if (!Number.isSafeInteger(expirySeconds) || expirySeconds < 0)
    throw new RangeError('Contact token expiry must be a valid date after 1970');
  if (secret === '') throw new Error('Contact link secret is empty');
  return `${expirySeconds}.${mac(leadId, expirySeconds, secret).toString('base64url')}`;
}

export function verifyContactToken(
  leadId: string,
  token: string,
  now: Date,
  secrets: ContactLinkSecrets,
): ContactTokenCheck {
  const match = TOKEN.exec(token);
  if (match === null || match[1] === undefined || match[2] === undefined) return { ok: false, reason: 'malformed' };
  const expirySeconds = Number(match[1]);
  const given = Buffer.from(match[2], 'base64url');
  // Re-encoding guards against non-canonical base64url (stray low bits) being accepted as the same MAC.
  if (given.length !== 32 || given.toString('base64url') !== match[2]) return { ok: false, reason: 'malformed' };

  const keys = [secrets.secret, secrets.previousSecret].filter((k): k is string => k !== undefined && k !== '');
  // Compare against every key, without short-circuiting, so timing does not reveal which key matched.
  let valid = false;
  for (const key of keys) {
    if (timingSafeEqual(given, mac(leadId, expirySeconds, key))) valid = true;
  }
  if (!valid) return { ok: false, reason: 'forged' };
  if (now.getTime() >= expirySeconds * 1000) return { ok: false, reason: 'expired' };
  return { ok: true };
}

export function contactLinkUrl(baseUrl: string, leadId: string, token: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return `${base}/api/leads/${encodeURIComponent(leadId)}/contact?token=${encodeURIComponent(token)}`;
}
