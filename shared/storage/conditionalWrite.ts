/**
 * Optimistic writes: create a row when it was absent at read time (no ETag), else replace it only if unchanged since
 * read (If-Match). Either way a writer that lost the race learns it as 'conflict' (409 on create, 412 on If-Match) and
 * reads again; every read-modify-write of the app's state goes through here.
 */
import type { TableClient, TableEntity, TransactionAction } from '@azure/data-tables';

import { isAlreadyExists, isPreconditionFailed } from './tableErrors';

export type SaveResult = 'saved' | 'conflict';

/** The transaction action that creates `entity`, or replaces it if unchanged since `etag` was read. */
export function createOrReplaceAction(entity: TableEntity, etag: string | undefined): TransactionAction {
  return etag === undefined ? ['create', entity] : ['update', entity, 'Replace', { etag }];
}

/** Runs a create or If-Match write (one call, or one transaction); a lost race is 'conflict', anything else throws. */
export async function saveIfUnchanged(write: () => Promise<unknown>): Promise<SaveResult> {
  try {
    await write();
    return 'saved';
  } catch (e) {
    if (isAlreadyExists(e) || isPreconditionFailed(e)) return 'conflict';
    throw e;
  }
}

/** Creates the row, or replaces it only if unchanged since `etag` was read. */
export function saveEntity(table: TableClient, entity: TableEntity, etag: string | undefined): Promise<SaveResult> {
  return saveIfUnchanged(() =>
    etag === undefined ? table.createEntity(entity) : table.updateEntity(entity, 'Replace', { etag }),
  );
}
