/**
 * `npm run rebuild-counters`: recounts the stats counters from the records (docs/api.md, `GET /api/stats`) after
 * catching the listing up with them, and says how many counter shards were wrong. Safe while the app runs.
 */
import { rebuildCounters } from '../shared/sell/rebuildCounters';
import { runStoreCommand } from './storeCommand';

if (require.main === module) {
  runStoreCommand(async (store, now) => {
    const r = await rebuildCounters(store, now);
    return `${r.records} record(s) in ${r.months} month(s) recounted; ${r.corrected} counter shard(s) corrected`;
  });
}
