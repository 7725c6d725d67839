/**
 * What the listing's catch-up asks the search index to write and delete when a record moves from one listed version
 * to the next: only the keys that changed, so a merge that changes no name, address or status costs no index call.
 */
import { addSearchKeys, dropSearchKeys } from '../../../shared/sell/search/searchIndex';
import type { SearchKey } from '../../../shared/sell/search/searchKeys';
import { record } from './records';

async function changes(
  listed: ReturnType<typeof record> | undefined,
  next: ReturnType<typeof record>,
): Promise<{ put: string[]; dropped: string[] }> {
  const put: string[] = [];
  const dropped: string[] = [];
  const rowKeys = (keys: readonly SearchKey[]): string[] => keys.map((k) => k.rowKey);
  await addSearchKeys(
    { putSearchKeys: (_, __, keys) => Promise.resolve(void put.push(...rowKeys(keys))) },
    listed,
    next,
    2,
  );
  await dropSearchKeys(
    { dropSearchKeys: (_, keys) => Promise.resolve(dropped.push(...rowKeys(keys))) },
    listed,
    next,
    2,
  );
  return { put, dropped };
}

describe('search keys on a listing change', () => {
  const first = record({ lastName: 'Kowalski', status: 'new' });

  test('a record listed for the first time writes all its keys and drops none', async () => {
    const { put, dropped } = await changes(undefined, first);
    expect(put).toHaveLength(5);
    expect(dropped).toEqual([]);
  });

  test('a version with the same names, address and status writes and drops nothing', async () => {
    expect(await changes(first, { ...first, eventCount: 3, lastSeenAt: '2026-03-11T10:00:00.000Z' })).toEqual({
      put: [],
      dropped: [],
    });
  });

  test('a status change moves the status key alone; a new surname moves its keys alone', async () => {
    const contacted = await changes(first, { ...first, status: 'contacted' });
    expect(contacted.put).toEqual([expect.stringMatching(/^s-contacted-/)]);
    expect(contacted.dropped).toEqual([expect.stringMatching(/^s-new-/)]);
    const renamed = await changes(first, { ...first, lastName: 'Nowak' });
    expect(renamed.put).toHaveLength(2);
    expect(renamed.dropped).toHaveLength(2);
    expect([...renamed.put, ...renamed.dropped].every((k) => k.startsWith('n-'))).toBe(true);
  });
});
