/**
 * The raw payload on an arrival event's entity, within Table Storage's limits (docs/storage.md, "The raw copy").
 * A string property holds 32K UTF-16 units; a lead accepted over HTTP is at most 32 KiB of UTF-8, which never
 * decodes to more units than bytes, so it always fits one property. Messages queued some other way (a replay, an
 * operator) can be longer: the text is then split over `rawBody`, `rawBody2`, `rawBody3`… on code-point
 * boundaries, and read back joined. Past MAX_RAW_PIECES pieces (far beyond what a 64 KiB queue message can carry,
 * and kept under the 1 MiB entity limit) only the start is kept, with the whole text's length and SHA-256.
 */
import { createHash } from 'node:crypto';

import { MAX_STRING_CHARS } from '../storage/tableLimits';
import { escapeLineTerminators } from '../storage/tableText';

export const RAW_PROPERTY = 'rawBody';
export const MAX_RAW_PIECES = 8;

export function rawCopyProperties(rawBody: string): Record<string, string | number> {
  // Half a surrogate pair cannot be stored faithfully anyway; bodies received over HTTP never hold one.
  // Only JSON bodies become events (arrivalEvent.ts), so the line terminators' escapes keep the same payload.
  const whole = wellFormed(rawBody);
  const text = escapeLineTerminators(whole);
  const properties: Record<string, string | number> = {};
  let at = 0;
  for (let piece = 1; piece <= MAX_RAW_PIECES && (at < text.length || piece === 1); piece++) {
    let end = Math.min(at + MAX_STRING_CHARS, text.length);
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end--;
    properties[pieceName(piece)] = text.slice(at, end);
    at = end;
  }
  if (at < text.length) {
    properties.rawBodyLength = whole.length;
    properties.rawBodySha256 = createHash('sha256').update(whole, 'utf8').digest('hex');
  }
  return properties;
}

/** The raw copy as stored: its pieces joined (the start only, when it was longer than MAX_RAW_PIECES). */
export function rawCopyFrom(entity: Record<string, unknown>): string {
  let text = '';
  for (let piece = 1; piece <= MAX_RAW_PIECES; piece++) {
    const value = entity[pieceName(piece)];
    if (typeof value !== 'string') break;
    text += value;
  }
  return text;
}

function pieceName(piece: number): string {
  return piece === 1 ? RAW_PROPERTY : `${RAW_PROPERTY}${piece}`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function wellFormed(text: string): string {
  return text.replace(/\p{Cs}/gu, '\uFFFD');
}
