import type { QueueSettings, StorageSettings, TableSettings } from '../config';
import type { HealthProbes } from '../health';
import { leadQueue } from '../queue/leadQueue';
import { countKeptPoisoned } from '../queue/poisoned';
import { createRecordStore } from '../record/recordStore';
import { tableClient } from '../storage/clients';
import { STORAGE_DEADLINES } from '../storage/deadline';

/** A probe must answer even when storage does not: every call gives up at the health deadline and says so. */
export function healthProbes(config: StorageSettings & QueueSettings & TableSettings): HealthProbes {
  const queue = leadQueue(config, STORAGE_DEADLINES.health);
  const store = createRecordStore(config, STORAGE_DEADLINES.health);
  const poisoned = tableClient(config.storageConnection, config.tables.poisoned, STORAGE_DEADLINES.health);
  return { queue: queue.reachable, tables: () => store.probe(), poisonedLeads: () => countKeptPoisoned(poisoned) };
}
