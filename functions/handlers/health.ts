import type { InvocationContext } from '@azure/functions';

import { appSettings, misconfiguredCapabilities, prepare, probeSettings } from '../../shared/config';
import { checkHealth } from '../../shared/health';
import type { HttpAnswer } from '../../shared/http/answer';
import { guarded } from '../../shared/http/guarded';
import { json } from '../../shared/http/responses';
import { healthProbes } from '../../shared/ops/healthProbes';

// The alarm's setting is shown as it is; while SILENCE_ALERT_DAYS is malformed, health shows its default.
const ready = prepare(probeSettings, (config) => {
  const silence = appSettings().silence;
  return healthProbes(config, silence.ok ? silence.value.silence.days : undefined);
});

export async function handler(_request: unknown, context: InvocationContext): Promise<HttpAnswer> {
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
