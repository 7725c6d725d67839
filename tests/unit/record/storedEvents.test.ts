import { createHash } from 'node:crypto';

import { MAX_RAW_PIECES } from '../../../shared/record/rawCopy';
import { entityToEvent, eventToEntity } from '../../../shared/record/recordStore';
import { entityBytes, MAX_ENTITY_BYTES, MAX_STRING_CHARS } from '../../../shared/storage/tableLimits';
import { arrival } from '../../support/events';

describe('stored events', () => {
  test('an arrival event round-trips through its entity, raw payload in its own property', () => {
    const event = arrival('01J0000000000000000000000A', '2026-01-02T03:04:05.000Z', { rawBody: '{"LeadSource":"x"}' });
    const entity = eventToEntity('01J0000000000000000000000B', event);
    expect(entity.kind).toBe('arrival');
    expect(JSON.parse(String(entity.data))).not.toHaveProperty('rawBody');
    expect(entityToEvent({ ...entity, etag: '*' })).toEqual(event);
  });

  test('arrival events stored before the rename (kind "lead") are read as arrivals', () => {
    const event = arrival('01J0000000000000000000000A', '2026-01-02T03:04:05.000Z');
    const { rawBody: _raw, ...rest } = event;
    const legacy = { ...rest, kind: 'lead' };
    const read = entityToEvent({
      partitionKey: '01J0000000000000000000000B',
      rowKey: event.eventId,
      kind: 'lead',
      data: JSON.stringify(legacy),
      rawBody: '{}',
      etag: '*',
    });
    expect(read).toEqual(event);
  });
});

describe('the raw copy on an arrival entity', () => {
  const event = (rawBody: string) => arrival('01J0000000000000000000000A', '2026-01-02T03:04:05.000Z', { rawBody });
  const pieces = (entity: Record<string, unknown>) =>
    Object.entries(entity).filter(([key]) => key.startsWith('rawBody') && /^rawBody\d*$/.test(key));

  test('a body longer than one property is split over several, on code points, and read back whole', () => {
    // A message queued by other means than ingestion may carry more than 32K characters.
    // The odd-length prefix puts a surrogate pair across the first cut.
    const rawBody = `{"Description":"x${'😀'.repeat(20_000)}x${'é'.repeat(30_000)}"}`;
    const entity = eventToEntity('01J0000000000000000000000B', event(rawBody));
    expect(pieces(entity).map(([key]) => key)).toEqual(['rawBody', 'rawBody2', 'rawBody3']);
    for (const [, value] of pieces(entity)) {
      expect(String(value).length).toBeLessThanOrEqual(MAX_STRING_CHARS);
      expect(String(value)).not.toMatch(/\p{Cs}/u);
    }
    expect(entityToEvent({ ...entity, etag: '*' })).toEqual(event(rawBody));
  });

  test('a body beyond every piece keeps its start, its length and its SHA-256, within the entity limit', () => {
    const rawBody = 'x'.repeat(MAX_STRING_CHARS * MAX_RAW_PIECES + 5);
    const entity = eventToEntity('01J0000000000000000000000B', event(rawBody));
    expect(pieces(entity)).toHaveLength(MAX_RAW_PIECES);
    expect(entity).toMatchObject({
      rawBodyLength: rawBody.length,
      rawBodySha256: createHash('sha256').update(rawBody).digest('hex'),
    });
    expect(entityBytes(entity)).toBeLessThanOrEqual(MAX_ENTITY_BYTES);
    expect((entityToEvent({ ...entity, etag: '*' }) as { rawBody: string }).rawBody).toBe(
      rawBody.slice(0, MAX_STRING_CHARS * MAX_RAW_PIECES),
    );
  });

  test('half a surrogate pair, which only a hand-made message can carry, is stored as U+FFFD', () => {
    const entity = eventToEntity('01J0000000000000000000000B', event('{"a":"\ud800"}'));
    expect(entity.rawBody).toBe('{"a":"\uFFFD"}');
  });
});
