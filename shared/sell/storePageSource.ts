/** The LeadPageSource the API runs on: the listing's month pages, plus where the listing begins. */
import type { RecordStore } from '../record/recordStore';
import type { LeadPageSource } from './leadWalk';
import { catchUpListing } from './listing';

/** Changes a request lists before it reads, so a reader sees what was just written; the timer lists the rest. */
export const CATCH_UP_PER_REQUEST = 100;

/** Catches the listing up with recent changes (at most CATCH_UP_PER_REQUEST), then reads it. */
export async function storePageSource(store: RecordStore, now: Date): Promise<LeadPageSource> {
  await catchUpListing(store, now, CATCH_UP_PER_REQUEST);
  return {
    oldestPartition: () => store.oldestRecordPartition(),
    async page(partition, afterRowKey, maxPageSize) {
      const { records, more } = await store.listRecordPage(partition, { afterRowKey, maxPageSize });
      return { records, more };
    },
  };
}
