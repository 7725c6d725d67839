/**
 * The frame of a maintenance command that works on the app's record store (rebuild-counters, rebuild-search): reads
 * the settings as the app does, runs the task with background deadlines, prints its one-line result, exits 1 on error.
 */
import path from 'node:path';

import { applyLocalSettings } from '../local-host/src/localSettings';
import { appSettings, recordSettings, valueOrThrow } from '../shared/config';
import { createRecordStore, type RecordStore } from '../shared/record/recordStore';
import { STORAGE_DEADLINES } from '../shared/storage/deadline';

export function runStoreCommand(task: (store: RecordStore, now: Date) => Promise<string>): void {
  const log = (line: string): void => console.log(line);
  applyLocalSettings(path.resolve(__dirname, '..', '..'), log);
  const store = createRecordStore(valueOrThrow(recordSettings(appSettings())), STORAGE_DEADLINES.background);
  task(store, new Date()).then(
    (summary) => {
      log(summary);
      process.exit(0);
    },
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exit(1);
    },
  );
}
