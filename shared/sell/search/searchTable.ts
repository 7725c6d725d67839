/**
 * The search index's table (LeadSearch, keys in searchKeys.ts) and its "built" mark in OpsState. Part of the
 * RecordStore: the listing's catch-up keeps the index, and erasure empties it, through the same store.
 */
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { odata } from '@azure/data-tables';

import { isAlreadyExists, isNotFound, isPreconditionFailed } from '../../storage/tableErrors';
import { type KeyRange, type SearchKey, STATUS_PREFIX } from './searchKeys';

/** One index row: the key, the lead it finds and the listed version that wrote it. */
export interface SearchRow extends SearchKey {
  leadId: string;
  version: number;
  etag: string;
}

export interface SearchTable {
  /** Writes the record's keys at this version: one call per partition (searchKeys gives a handful). */
  putSearchKeys(leadId: string, version: number, keys: readonly SearchKey[]): Promise<void>;
  /**
   * Deletes keys an older version of the record held, each only if no catch-up of `version` or newer has written it
   * since (then that version holds it again). Returns how many it deleted.
   */
  dropSearchKeys(version: number, keys: readonly SearchKey[]): Promise<number>;
  /** Up to `max` keys of the range, in key order; `more` when the range holds more. */
  searchKeyRange(range: KeyRange, max: number): Promise<{ keys: string[]; more: boolean }>;
  /** Every index row, a page at a time (the rebuild's sweep). */
  searchRows(): AsyncIterable<SearchRow>;
  /** Deletes a row only if it is unchanged since read. */
  deleteSearchRow(row: SearchRow): Promise<boolean>;
  /** Erasure: every name and email row of this lead, whatever version wrote it (a scan by lead id: a rare call). */
  deleteSearchRowsOf(leadId: string): Promise<number>;
  /** Whether every listed record is in the index: set by a rebuild, or when the first record is listed. */
  searchBuilt(): Promise<boolean>;
  markSearchBuilt(): Promise<void>;
}

// The index's layout version: a new layout would be built under a new mark.
const BUILT = { partitionKey: 'search', rowKey: 'built-v1' };
const MAX_PAGE = 1000;

type Row = Record<string, unknown>;

function filterOf({ partition, rows }: KeyRange): string {
  const partitions =
    'equal' in partition
      ? odata`PartitionKey eq ${partition.equal}`
      : odata`PartitionKey ge ${partition.from} and PartitionKey lt ${partition.below}`;
  const rowKeys =
    'from' in rows
      ? odata`RowKey ge ${rows.from} and RowKey lt ${rows.below}`
      : odata`RowKey gt ${rows.above} and RowKey lt ${rows.below}`;
  return `${partitions} and ${rowKeys}`;
}

export function searchTable(
  search: TableClient,
  opsState: TableClient,
  ensureTables: () => Promise<void>,
): SearchTable {
  const deleteIfUnchanged = async ({ partitionKey, rowKey }: SearchKey, etag: string): Promise<boolean> => {
    try {
      await search.deleteEntity(partitionKey, rowKey, { etag });
      return true;
    } catch (e) {
      // Gone already, or rewritten by a newer catch-up: either way not ours to delete.
      if (isNotFound(e) || isPreconditionFailed(e)) return false;
      throw e;
    }
  };

  return {
    async putSearchKeys(leadId, version, keys) {
      await ensureTables();
      const byPartition = new Map<string, TransactionAction[]>();
      for (const key of keys) {
        const action: TransactionAction = ['upsert', { ...key, leadId, version }, 'Replace'];
        byPartition.set(key.partitionKey, [...(byPartition.get(key.partitionKey) ?? []), action]);
      }
      // Independent partitions: written side by side, so a catch-up pays about one call's time, not five.
      await Promise.all(
        [...byPartition.values()].map(async (actions) => {
          if (actions.length === 1) await search.upsertEntity(actions[0]![1], 'Replace');
          else await search.submitTransaction(actions);
        }),
      );
    },

    async dropSearchKeys(version, keys) {
      await ensureTables();
      let dropped = 0;
      for (const key of keys) {
        let row: Row & { etag: string };
        try {
          row = await search.getEntity<Row>(key.partitionKey, key.rowKey);
        } catch (e) {
          if (isNotFound(e)) continue;
          throw e;
        }
        if (Number(row.version) >= version) continue;
        if (await deleteIfUnchanged(key, row.etag)) dropped++;
      }
      return dropped;
    },

    async searchKeyRange(range, max) {
      await ensureTables();
      const keys: string[] = [];
      const pages = search
        .listEntities<Row>({ queryOptions: { filter: filterOf(range), select: ['RowKey'] } })
        .byPage({ maxPageSize: Math.min(MAX_PAGE, max + 1) });
      for await (const page of pages) {
        for (const row of page) if (row.rowKey !== undefined) keys.push(row.rowKey);
        if (keys.length > max) break;
      }
      return { keys: keys.slice(0, max), more: keys.length > max };
    },

    async *searchRows() {
      await ensureTables();
      const rows = search.listEntities<Row>({
        queryOptions: { select: ['PartitionKey', 'RowKey', 'leadId', 'version'] },
      });
      for await (const row of rows) {
        if (row.partitionKey === undefined || row.rowKey === undefined) continue;
        const { partitionKey, rowKey, etag } = row;
        yield { partitionKey, rowKey, leadId: String(row.leadId), version: Number(row.version), etag };
      }
    },

    deleteSearchRow: (row) => deleteIfUnchanged(row, row.etag),

    async deleteSearchRowsOf(leadId) {
      await ensureTables();
      const keys: SearchKey[] = [];
      const rows = search.listEntities<Row>({
        queryOptions: { filter: odata`leadId eq ${leadId}`, select: ['PartitionKey', 'RowKey'] },
      });
      // Status rows hold no personal data and the tombstone keeps its status: they stay.
      for await (const { partitionKey, rowKey } of rows)
        if (partitionKey !== undefined && rowKey !== undefined && !rowKey.startsWith(STATUS_PREFIX))
          keys.push({ partitionKey, rowKey });
      let deleted = 0;
      for (const { partitionKey, rowKey } of keys) {
        try {
          await search.deleteEntity(partitionKey, rowKey);
          deleted++;
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
      return deleted;
    },

    async searchBuilt() {
      await ensureTables();
      try {
        await opsState.getEntity(BUILT.partitionKey, BUILT.rowKey);
        return true;
      } catch (e) {
        if (isNotFound(e)) return false;
        throw e;
      }
    },

    async markSearchBuilt() {
      await ensureTables();
      try {
        await opsState.createEntity(BUILT);
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
    },
  };
}
