/**
 * The record store plus its raw table clients, for tests that inspect or arrange rows directly. The app's own code
 * gets the store's methods only; a test may look behind them.
 */
import type { TableClient } from '@azure/data-tables';

import type { StorageSettings, TableSettings } from '../../shared/config';
import { createRecordStore } from '../../shared/record/recordStore';
import { tableClient } from '../../shared/storage/clients';

export type RawTables = Record<keyof TableSettings['tables'], TableClient>;

export function rawTables(config: StorageSettings & TableSettings): RawTables {
  const entries = Object.entries(config.tables).map(([key, name]) => [
    key,
    tableClient(config.storageConnection, name),
  ]);
  return Object.fromEntries(entries) as RawTables;
}

export function testStore(config: StorageSettings & TableSettings): ReturnType<typeof createRecordStore> & {
  tables: RawTables;
} {
  return { ...createRecordStore(config), tables: rawTables(config) };
}

export type TestRecordStore = ReturnType<typeof testStore>;
