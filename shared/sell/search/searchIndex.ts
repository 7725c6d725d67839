/**
 * Keeps the search index in step with the listing (docs/storage.md "Search index"). The listing's catch-up writes a
 * version's new keys before it lists that version, and drops the keys only the older version had after: a listed
 * record is always found by its listed values, and a key left behind by a crash only proposes a lead that the
 * search then checks and skips.
 */
import type { LeadRecord } from '../../record/model';
import type { RecordStore } from '../../record/recordStore';
import { searchKeys } from './searchKeys';

/** Writes the keys `next` has and the listed version lacks (every key of a record not listed yet). */
export async function addSearchKeys(
  store: Pick<RecordStore, 'putSearchKeys'>,
  listed: LeadRecord | undefined,
  next: LeadRecord,
  version: number,
): Promise<void> {
  const had = new Set(listed ? searchKeys(listed).map((key) => key.rowKey) : []);
  await store.putSearchKeys(
    next.leadId,
    version,
    searchKeys(next).filter((key) => !had.has(key.rowKey)),
  );
}

/** After `version` is listed: drops the keys the previously listed version had and it lacks. */
export async function dropSearchKeys(
  store: Pick<RecordStore, 'dropSearchKeys'>,
  listed: LeadRecord | undefined,
  next: LeadRecord,
  version: number,
): Promise<void> {
  if (!listed) return;
  const keeps = new Set(searchKeys(next).map((key) => key.rowKey));
  await store.dropSearchKeys(
    version,
    searchKeys(listed).filter((key) => !keeps.has(key.rowKey)),
  );
}

/**
 * Marks the index built while the listing is still empty: from the first record on, every listed record has its
 * keys. A store listed before the index existed stays unmarked until `npm run rebuild-search`.
 */
export async function markBuiltWhileEmpty(
  store: Pick<RecordStore, 'searchBuilt' | 'oldestRecordPartition' | 'markSearchBuilt'>,
): Promise<void> {
  if (await store.searchBuilt()) return;
  if ((await store.oldestRecordPartition()) === undefined) await store.markSearchBuilt();
}
