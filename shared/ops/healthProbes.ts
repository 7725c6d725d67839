import type { QueueSettings, StorageSettings, TableSettings } from '../config';
import type { HealthProbes } from '../health';
import { leadQueue } from '../queue/leadQueue';
import { countKeptPoisoned } from '../queue/poisoned';
import { createRecordStore } from '../record/recordStore';
import { queueClient, tableClient } from '../storage/clients';
import { countRows } from '../storage/countRows';
import { STORAGE_DEADLINES } from '../storage/deadline';
import { tableSilenceState } from './opsState';
import { newestArrivals } from './recentArrivals';
import { DEFAULT_SILENCE_ALERT_DAYS } from './silence';

// Health reads a few pages of the newest records at most: its answer must come within its deadline.
const HEALTH_RECORDS = 300;

/** A probe must answer even when storage does not: every call gives up at the health deadline and says so. */
export function healthProbes(
  config: StorageSettings & QueueSettings & TableSettings,
  silenceAlertDays: number = DEFAULT_SILENCE_ALERT_DAYS,
): HealthProbes {
  const deadline = STORAGE_DEADLINES.health;
  const queue = leadQueue(config, deadline);
  const store = createRecordStore(config, deadline);
  const poisoned = tableClient(config.storageConnection, config.tables.poisoned, deadline);
  const rejected = tableClient(config.storageConnection, config.tables.rejected, deadline);
  const poisonQueue = queueClient(config.storageConnection, config.poisonQueueName, deadline);
  const silence = tableSilenceState(tableClient(config.storageConnection, config.tables.opsState, deadline));
  return {
    queue: queue.reachable,
    tables: () => store.probe(),
    poisonedLeads: () => countKeptPoisoned(poisoned),
    leadFlow: async () => {
      // Each fact on its own: one that storage cannot give is null, the others still show.
      const [arrivals, poisonQueueDepth, rejectedLeads, state] = await Promise.all([
        newestArrivals(store, new Date(), { want: 'both', maxRecords: HEALTH_RECORDS }).catch(() => ({})),
        poisonQueue
          .getProperties()
          .then((p) => p.approximateMessagesCount ?? 0)
          .catch((e: unknown) => ((e as { statusCode?: number }).statusCode === 404 ? 0 : null)),
        countRows(rejected, 1000).catch(() => null),
        silence.read().then(
          (s) => s.state,
          () => undefined,
        ),
      ]);
      return { ...arrivals, poisonQueueDepth, rejectedLeads, silenceAlertDays, silence: state };
    },
  };
}
