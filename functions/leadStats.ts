import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';

import { systemClock } from '../shared/clock';
import { appConfig } from '../shared/config';
import { badRequest, guarded } from '../shared/http/guarded';
import { json } from '../shared/http/responses';
import { createRecordStore } from '../shared/record/recordStore';
import { unknownParameter } from '../shared/sell/leadQuery';
import { pipelineStats } from '../shared/sell/pipelineStats';
import { storePageSource } from '../shared/sell/storePageSource';

const source = storePageSource(createRecordStore(appConfig()));

export async function leadStatsHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return guarded(context, async () => {
    const unknown = unknownParameter(request.query, []);
    if (unknown) return badRequest(unknown);
    return json(200, await pipelineStats(source, systemClock()));
  });
}

app.http('leadStats', { route: 'stats', methods: ['GET'], authLevel: 'function', handler: leadStatsHandler });
