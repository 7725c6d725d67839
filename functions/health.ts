import { app, type HttpResponseInit, type InvocationContext } from '@azure/functions';

import { appSettings, misconfiguredCapabilities, prepare, probeSettings } from '../shared/config';
import { checkHealth, type HealthProbes } from '../shared/health';
import { guarded } from '../shared/http/guarded';
import { json } from '../shared/http/responses';
import { leadQueue } from '../shared/queue/leadQueue';
import { countKeptPoisoned } from '../shared/queue/poisoned';
import { createRecordStore } from '../shared/record/recordStore';
import { tableClient } from '../shared/storage/clients';
import { STORAGE_DEADLINES } from '../shared/storage/deadline';

// A probe must answer even when storage does not: every call gives up at the health deadline and says so.
const ready = prepare(probeSettings, (config): HealthProbes => {
  const queue = leadQueue(config, STORAGE_DEADLINES.health);
  const store = createRecordStore(config, STORAGE_DEADLINES.health);
  const poisoned = tableClient(config.storageConnectionString, config.tables.poisoned, STORAGE_DEADLINES.health);
  return { queue: queue.reachable, tables: () => store.probe(), poisonedLeads: () => countKeptPoisoned(poisoned) };
});

export async function healthHandler(_request: unknown, context: InvocationContext): Promise<HttpResponseInit> {
  return guarded(context, async () => {
    const probes = ready();
    const report = await checkHealth(probes.ok ? probes.value : undefined, misconfiguredCapabilities(appSettings()));
    const failed = report.checks.filter((c) => !c.ok);
    if (failed.length > 0)
      context.warn(`Health check failed: ${failed.map((c) => `${c.name} ${c.error ?? ''}`).join(', ')}`);
    for (const m of report.misconfigured) context.warn(`Misconfigured ${m.capability}: ${m.settings.join(', ')}`);
    return json(report.ok ? 200 : 503, report);
  });
}

app.http('health', { route: 'health', methods: ['GET'], authLevel: 'anonymous', handler: healthHandler });
