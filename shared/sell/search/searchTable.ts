/**
 * The search index's table (LeadSearch, keys in searchKeys.ts) and its "built" mark in OpsState. Part of the
 * RecordStore: the listing's catch-up keeps the index, and erasure empties it, through the same store.
 */
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { odata } from '@azure/data-tables';

import { isAlreadyExists, isNotFound, isPreconditionFailed } from '../../storage/tableErrors';
import { type KeyRange, SEARCH_PARTITION } from './searchKeys';

/** One index row: the key, the lead it finds and the listed version that wrote it. */
export interface SearchRow {
  rowKey: string;
  leadId: string;
  version: number;
  etag: string;
}

export interface SearchTable {
  /** Writes the record's keys at this version in one transaction (at most 100: searchKeys gives a handful). */
  putSearchKeys(leadId: string, version: number, keys: readonly string[]): Promise<void>;
  /**
   * Deletes keys an older version of the record held, each only if no catch-up of `version` or newer has written it
   * since (then that version holds it again). Returns how many it deleted.
   */
  dropSearchKeys(version: number, keys: readonly string[]): Promise<number>;
  /** Up to `max` keys of the range, in key order; `more` when the range holds more. */
  searchKeyRange(range: KeyRange, max: number): Promise<{ keys: string[]; more: boolean }>;
  /** Every index row, a page at a time (the rebuild's sweep). */
  searchRows(): AsyncIterable<SearchRow>;
  /** Deletes a row only if it is unchanged since read. */
  deleteSearchRow(row: SearchRow): Promise<boolean>;
  /** Erasure: every row that finds this lead, whatever version wrote it (a scan by lead id: a rare call). */
  deleteSearchRowsOf(leadId: string): Promise<number>;
  /** Whether every listed record is in the index: set by a rebuild, or when the first record is listed. */
  searchBuilt(): Promise<boolean>;
  markSearchBuilt(at: Date): Promise<void>;
}

const BUILT = { partitionKey: 'search', rowKey: SEARCH_PARTITION };
const MAX_PAGE = 1000;

type Row = Record<string, unknown>;

function filterOf(range: KeyRange): string {
  return 'from' in range
    ? odata`PartitionKey eq ${SEARCH_PARTITION} and RowKey ge ${range.from} and RowKey lt ${range.below}`
    : odata`PartitionKey eq ${SEARCH_PARTITION} and RowKey gt ${range.above} and RowKey lt ${range.below}`;
}

export function searchTable(
  search: TableClient,
  opsState: TableClient,
  ensureTables: () => Promise<void>,
): SearchTable {
  const deleteIfUnchanged = async (rowKey: string, etag: string): Promise<boolean> => {
    try {
      await search.deleteEntity(SEARCH_PARTITION, rowKey, { etag });
      return true;
    } catch (e) {
      // Gone already, or rewritten by a newer catch-up: either way not ours to delete.
      if (isNotFound(e) || isPreconditionFailed(e)) return false;
      throw e;
    }
  };

  return {
    async putSearchKeys(leadId, version, keys) {
      if (keys.length === 0) return;
      await ensureTables();
      const actions = keys.map((rowKey): TransactionAction => [
        'upsert',
        { partitionKey: SEARCH_PARTITION, rowKey, leadId, version },
        'Replace',
      ]);
      await search.submitTransaction(actions);
    },

    async dropSearchKeys(version, keys) {
      await ensureTables();
      let dropped = 0;
      for (const rowKey of keys) {
        let row: Row & { etag: string };
        try {
          row = await search.getEntity<Row>(SEARCH_PARTITION, rowKey);
        } catch (e) {
          if (isNotFound(e)) continue;
          throw e;
        }
        if (Number(row.version) >= version) continue;
        if (await deleteIfUnchanged(rowKey, row.etag)) dropped++;
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
        queryOptions: { filter: odata`PartitionKey eq ${SEARCH_PARTITION}`, select: ['RowKey', 'leadId', 'version'] },
      });
      for await (const row of rows) {
        if (row.rowKey === undefined) continue;
        yield { rowKey: row.rowKey, leadId: String(row.leadId), version: Number(row.version), etag: row.etag };
      }
    },

    deleteSearchRow: (row) => deleteIfUnchanged(row.rowKey, row.etag),

    async deleteSearchRowsOf(leadId) {
      await ensureTables();
      const keys: string[] = [];
      const rows = search.listEntities<Row>({
        queryOptions: {
          filter: odata`PartitionKey eq ${SEARCH_PARTITION} and leadId eq ${leadId}`,
          select: ['RowKey'],
        },
      });
      for await (const row of rows) if (row.rowKey !== undefined) keys.push(row.rowKey);
      let deleted = 0;
      for (const rowKey of keys) {
        try {
          await search.deleteEntity(SEARCH_PARTITION, rowKey);
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

    async markSearchBuilt(at) {
      await ensureTables();
      try {
        await opsState.createEntity({ ...BUILT, at: at.toISOString() });
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
    },
  };
}
