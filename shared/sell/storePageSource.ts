/** The LeadPageSource the API runs on: the lead store's month pages, plus where the table begins. */
import type { RecordStore } from '../record/recordStore';
import { isNotFound } from '../storage/tableErrors';
import type { LeadPageSource } from './leadWalk';

export function storePageSource(store: RecordStore): LeadPageSource {
  return {
    async oldestPartition() {
      // Entities come back in key order, so the first row of the table is in its oldest month: one cheap read
      // instead of probing months back to some guessed epoch.
      const pages = store.tables.leads
        .listEntities({ queryOptions: { select: ['PartitionKey'] } })
        .byPage({ maxPageSize: 1 });
      try {
        for await (const page of pages) {
          const first = page[0];
          if (first !== undefined) return first.partitionKey;
          // An empty first page with a continuation is possible on a large table: keep reading.
        }
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
      return undefined;
    },
    async page(partition, afterRowKey, maxPageSize) {
      const { records, more } = await store.listRecordPage(partition, { afterRowKey, maxPageSize });
      return { records, more };
    },
  };
}
