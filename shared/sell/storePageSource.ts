/** The LeadPageSource the API runs on: the listing's month pages, plus where the listing begins. */
import type { RecordStore } from '../record/recordStore';
import type { LeadPageSource } from './leadWalk';
import { catchUpListing } from './listing';
import type { StatsSource } from './pipelineStats';
import type { SearchSource } from './search/searchLeads';

/** Changes a request lists before it reads, so a reader sees what was just written; the timer lists the rest. */
export const CATCH_UP_PER_REQUEST = 100;

/** Catches the listing up with recent changes (at most CATCH_UP_PER_REQUEST), then reads it. */
export async function storePageSource(
  store: RecordStore,
  now: Date,
): Promise<LeadPageSource & StatsSource & { search: SearchSource }> {
  await catchUpListing(store, now, CATCH_UP_PER_REQUEST);
  return {
    oldestPartition: () => store.oldestRecordPartition(),
    countedShards: async () => (await store.mirroredShards()).map(({ offerKey, shard }) => ({ offerKey, shard })),
    async page(partition, afterRowKey, maxPageSize) {
      const { records, more } = await store.listRecordPage(partition, { afterRowKey, maxPageSize });
      return { records, more };
    },
    windowPage: (partition, afterRowKey, upToRowKey, maxPageSize) =>
      store.listRecordPage(partition, { afterRowKey, upToRowKey, maxPageSize }),
    search: {
      ready: () => store.searchBuilt(),
      keys: (range, max) => store.searchKeyRange(range, max),
      listed: async (leadId) => (await store.listedRecord(leadId))?.record,
      listedWithStatus: (month, rows, statuses) => store.listedWithStatus(month, rows, statuses),
      oldestMonth: () => store.oldestRecordPartition(),
    },
  };
}
