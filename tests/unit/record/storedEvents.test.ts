import { entityToEvent, eventToEntity } from '../../../shared/record/recordStore';
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
