/**
 * `npm run rebuild-counters`: recounts the stats counters from the records (docs/api.md, `GET /api/stats`) after
 * catching the listing up with them, and says how many counter shards were wrong. Safe while the app runs.
 */
import path from 'node:path';

import { applyLocalSettings } from '../local-host/src/localSettings';
import { appSettings, recordSettings, valueOrThrow } from '../shared/config';
import { createRecordStore } from '../shared/record/recordStore';
import { rebuildCounters } from '../shared/sell/rebuildCounters';
import { STORAGE_DEADLINES } from '../shared/storage/deadline';

if (require.main === module) {
  const log = (line: string): void => console.log(line);
  applyLocalSettings(path.resolve(__dirname, '..', '..'), log);
  const store = createRecordStore(valueOrThrow(recordSettings(appSettings())), STORAGE_DEADLINES.background);
  rebuildCounters(store, new Date()).then(
    (r) => {
      log(`${r.records} record(s) in ${r.months} month(s) recounted; ${r.corrected} counter shard(s) corrected`);
      process.exit(0);
    },
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exit(1);
    },
  );
}
