import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';

import { systemClock } from '../shared/clock';
import { prepare, recordSettings } from '../shared/config';
import { guarded } from '../shared/http/guarded';
import { misconfigured } from '../shared/http/misconfigured';
import { invalidRequest, json } from '../shared/http/responses';
import { createRecordStore } from '../shared/record/recordStore';
import { unknownParameter } from '../shared/sell/leadQuery';
import { pipelineStats } from '../shared/sell/pipelineStats';
import { storePageSource } from '../shared/sell/storePageSource';

const ready = prepare(recordSettings, (config) => storePageSource(createRecordStore(config)));

export async function leadStatsHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return guarded(context, async () => {
    const source = ready();
    if (!source.ok) return misconfigured(context, source.problems);
    const unknown = unknownParameter(request.query, []);
    if (unknown) return invalidRequest([unknown]);
    return json(200, await pipelineStats(source.value, systemClock()));
  });
}

app.http('leadStats', { route: 'stats', methods: ['GET'], authLevel: 'function', handler: leadStatsHandler });
