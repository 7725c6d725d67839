/**
 * The message on the hand-off queue (HANDOFF_QUEUE_NAME): one change of one record to hand to the CRM. No customer
 * data: the deliverer reads the record when it delivers.
 */
import { isUlid } from '../record/keys';
import { encodeQueueMessage, queueObject } from './queueJson';

export interface HandOffEnvelope {
  v: 1;
  leadId: string;
  /** The record's version after the change: strictly greater than any earlier change's (crmPayload.ts). */
  version: number;
  /** Whether the change created the record (`lead.created`), else `lead.updated`. */
  created: boolean;
  /** When the change happened. */
  at: string;
  /**
   * Tries earlier copies of this message made: set on the copy put back to wait for a receiver's Retry-After
   * (crm/handOff.ts), so the tries of every copy count towards one limit. Absent on a change's first message.
   */
  tries?: number;
}

export function encodeHandOff(message: HandOffEnvelope): string {
  return encodeQueueMessage(message);
}

export type HandOffParse = { ok: true; message: HandOffEnvelope } | { ok: false; reason: string };

export function parseHandOff(raw: unknown): HandOffParse {
  const read = queueObject(raw);
  if (!read.ok) return read;
  const m = read.value;
  if (m.v !== 1) return { ok: false, reason: `unknown hand-off message version ${JSON.stringify(m.v)}` };
  if (typeof m.leadId !== 'string' || !isUlid(m.leadId)) return { ok: false, reason: 'leadId is not a ULID' };
  if (typeof m.version !== 'number' || !Number.isSafeInteger(m.version) || m.version < 1)
    return { ok: false, reason: 'version is not a whole number of at least 1' };
  if (typeof m.created !== 'boolean') return { ok: false, reason: 'created is not true or false' };
  if (typeof m.at !== 'string' || !Number.isFinite(Date.parse(m.at))) return { ok: false, reason: 'at is not a date' };
  if (m.tries !== undefined && (typeof m.tries !== 'number' || !Number.isSafeInteger(m.tries) || m.tries < 1))
    return { ok: false, reason: 'tries is not a whole number of at least 1' };
  const message: HandOffEnvelope = { v: 1, leadId: m.leadId, version: m.version, created: m.created, at: m.at };
  if (m.tries !== undefined) message.tries = m.tries;
  return { ok: true, message };
}

/** The change as first queued, without the tries its copies made: what goes to poison, so a replay starts afresh. */
export function withoutTries(message: HandOffEnvelope): HandOffEnvelope {
  const { tries: _tries, ...change } = message;
  void _tries;
  return change;
}

/**
 * A poisoned hand-off's text as replay-poison sends it back: without `tries`, which a copy poisoned by the host
 * (storage down, not the receiver) still carries, so the replay gets every try again. Text that is not a hand-off
 * goes back as it is: the deliverer names what is wrong with it.
 */
export function handOffToReplay(text: string): string {
  const parsed = parseHandOff(text);
  return parsed.ok && parsed.message.tries !== undefined ? JSON.stringify(withoutTries(parsed.message)) : text;
}
