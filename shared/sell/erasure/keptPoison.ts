/**
 * Poisoned leads kept in the PoisonedLeads table are copies of a person's lead too. They are matched exactly as the
 * messages still in the poison queue are (copyMatch.ts), so one rule decides what a copy of the person is.
 */
import type { TableClient } from '@azure/data-tables';

import { keptPoisoned } from '../../queue/poisoned';
import { isNotFound } from '../../storage/tableErrors';
import { copyMatches, isEmpty, type PersonKeys } from './copyMatch';

export async function eraseKeptPoison(table: TableClient, person: PersonKeys): Promise<number> {
  if (isEmpty(person)) return 0;
  let erased = 0;
  for await (const kept of keptPoisoned(table)) {
    if (!copyMatches(kept.text, person)) continue;
    try {
      await table.deleteEntity(String(kept.keys.partitionKey), String(kept.keys.rowKey));
      erased++;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return erased;
}
