/** The LeadPageSource the API runs on: the record store's month pages, plus where the table begins. */
import type { RecordStore } from '../record/recordStore';
import type { LeadPageSource } from './leadWalk';

export function storePageSource(store: RecordStore): LeadPageSource {
  return {
    oldestPartition: () => store.oldestRecordPartition(),
    async page(partition, afterRowKey, maxPageSize) {
      const { records, more } = await store.listRecordPage(partition, { afterRowKey, maxPageSize });
      return { records, more };
    },
  };
}
