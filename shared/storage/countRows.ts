import type { TableClient } from '@azure/data-tables';

/** Rows of a table (matching `filter`), counted by key only up to `cap`; a table not created yet has none. */
export async function countRows(table: TableClient, cap: number, filter?: string): Promise<number> {
  let count = 0;
  try {
    for await (const _ of table.listEntities({ queryOptions: { select: ['RowKey'], filter } })) {
      if (++count >= cap) break;
    }
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 404) throw e;
  }
  return count;
}
