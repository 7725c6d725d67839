import { ulid } from 'ulid';

import { parseEnvelope } from '../../../shared/queue/envelope';
import {
  dueBucket,
  followUpKeys,
  identityKeys,
  invertUlid,
  isUlid,
  leadIdFromRowKey,
  leadKeys,
  monthPartitions,
} from '../../../shared/record/keys';
import { parseLeadId } from '../../../shared/sell/leadId';

const FORBIDDEN = /[/\\#?\p{Cc}]/u;

describe('table keys', () => {
  test('inverting a ULID is its own inverse and reverses the sort order', () => {
    const older = ulid(Date.parse('2026-01-01T00:00:00Z'));
    const newer = ulid(Date.parse('2026-01-02T00:00:00Z'));
    expect(invertUlid(invertUlid(older))).toBe(older);
    expect(older < newer).toBe(true);
    expect(invertUlid(newer) < invertUlid(older)).toBe(true);
  });

  test('a lead id maps to its creation month and back', () => {
    const id = ulid(Date.parse('2026-11-29T23:59:59Z'));
    const keys = leadKeys(id);
    expect(keys.partitionKey).toBe('202611');
    expect(leadIdFromRowKey(keys.rowKey)).toBe(id);
  });

  test('anything but a ULID is refused as a lead id', () => {
    expect(() => leadKeys('../etc/passwd')).toThrow('ULID');
    expect(() => leadKeys('01M8JTRENFV01RE661WTECJVQ#')).toThrow('ULID');
  });

  test('a ULID-shaped id whose time overflows 48 bits is not a ULID', () => {
    // The first character carries the top 3 bits of the time: 7 is the largest time a ULID can hold.
    expect(isUlid('7ZZZZZZZZZZZZZZZZZZZZZZZZZ')).toBe(true);
    expect(isUlid('8ZZZZZZZZZZZZZZZZZZZZZZZZZ')).toBe(false);
    expect(isUlid('Z0000000000000000000000000')).toBe(false);
    expect(() => leadKeys('8ZZZZZZZZZZZZZZZZZZZZZZZZZ')).toThrow('ULID');
    expect(parseLeadId('8zzzzzzzzzzzzzzzzzzzzzzzzz')).toMatchObject({ ok: false, problem: { field: 'id' } });
    expect(
      parseEnvelope({ v: 1, id: '8ZZZZZZZZZZZZZZZZZZZZZZZZZ', receivedAt: '2025-01-01T00:00:00Z', rawBody: '{}' }),
    ).toEqual({ ok: false, reason: 'envelope id is not a ULID' });
  });

  test('month partitions run newest first and include both ends', () => {
    expect(monthPartitions(new Date('2025-11-15Z'), new Date('2026-02-01Z'))).toEqual([
      '202602',
      '202601',
      '202512',
      '202511',
    ]);
    expect(monthPartitions(new Date('2026-03-01Z'), new Date('2026-02-01Z'))).toEqual([]);
  });

  test('follow-up entries are bucketed by the UTC hour they fall due', () => {
    expect(dueBucket(new Date('2026-03-02T10:59:59.999Z'))).toBe('2026030210');
    expect(followUpKeys('remind', 'L', new Date('2026-03-02T10:00:00Z'))).toEqual({
      partitionKey: '2026030210',
      rowKey: 'remind-L',
    });
  });

  test('no key can carry a character Table Storage forbids, and all stay far under 1 KiB', () => {
    const id = ulid();
    const keys = [leadKeys(id), identityKeys('ab'.repeat(32)), followUpKeys('escalate', id, new Date())];
    for (const k of keys) {
      for (const part of [k.partitionKey, k.rowKey]) {
        expect(part).not.toMatch(FORBIDDEN);
        expect(Buffer.byteLength(part)).toBeLessThan(100);
      }
    }
  });
});
