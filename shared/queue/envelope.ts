/** The queue message between the HTTP trigger and the processor: the raw lead plus how it arrived. */
import { createHmac } from 'node:crypto';

import type { LeadEnvelope, LeadRequestMetadata } from '../marketplace/types';
import { isUlid } from '../record/keys';
import { encodeQueueMessage, queueObject } from './queueJson';

export interface ArrivalFacts {
  contentType?: string;
  userAgent?: string;
  clientIp?: string;
  queryKeys: string[];
}

/**
 * The caller's address is personal data: keep only a keyed hash, enough to correlate abuse. Without a key
 * (CONTACT_LINK_SECRET missing or too short) there is no hash: an unkeyed one could be reversed by trying addresses.
 */
export function requestMetadata(facts: ArrivalFacts, clientIpSecret: string | undefined): LeadRequestMetadata {
  return {
    contentType: facts.contentType?.slice(0, 200),
    userAgent: facts.userAgent?.slice(0, 300),
    clientIpHash:
      facts.clientIp && clientIpSecret !== undefined
        ? createHmac('sha256', `client-ip:${clientIpSecret}`).update(facts.clientIp).digest('hex').slice(0, 32)
        : undefined,
    // Names only: the value of `code` is the function key.
    queryKeys: facts.queryKeys.slice(0, 20),
  };
}

export function createEnvelope(
  id: string,
  receivedAt: Date,
  rawBody: string,
  request: LeadRequestMetadata,
): LeadEnvelope {
  return { v: 1, id, receivedAt: receivedAt.toISOString(), rawBody, request };
}

/** The Functions queue trigger expects base64 by default (host.json messageEncoding). */
export function encodeEnvelope(envelope: LeadEnvelope): string {
  return encodeQueueMessage(envelope);
}

export type EnvelopeResult = { ok: true; envelope: LeadEnvelope } | { ok: false; reason: string };

/** The queue trigger hands over the decoded message, already JSON-parsed when it was JSON. */
export function parseEnvelope(message: unknown): EnvelopeResult {
  const read = queueObject(message);
  if (!read.ok) return read;
  const e = read.value;
  if (e.v !== 1) return { ok: false, reason: `unknown envelope version ${JSON.stringify(e.v)}` };
  if (typeof e.id !== 'string' || !isUlid(e.id)) return { ok: false, reason: 'envelope id is not a ULID' };
  if (typeof e.receivedAt !== 'string' || Number.isNaN(Date.parse(e.receivedAt)))
    return { ok: false, reason: 'envelope receivedAt is not a date' };
  if (typeof e.rawBody !== 'string') return { ok: false, reason: 'envelope rawBody is not a string' };
  const request =
    typeof e.request === 'object' && e.request !== null ? (e.request as LeadRequestMetadata) : { queryKeys: [] };
  return { ok: true, envelope: { v: 1, id: e.id, receivedAt: e.receivedAt, rawBody: e.rawBody, request } };
}
