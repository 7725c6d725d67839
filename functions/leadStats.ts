import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { badRequest, guarded } from '../shared/api/http';
import { unknownParameter } from '../shared/api/leadQuery';
import { pipelineStats } from '../shared/api/pipelineStats';
import { storePageSource } from '../shared/api/storePageSource';
import { systemClock } from '../shared/clock';
import { appConfig } from '../shared/config';
import { json } from '../shared/http/responses';
import { createLeadStore } from '../shared/leads/leadStore';

const source = storePageSource(createLeadStore(appConfig()));

export async function leadStatsHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return guarded(context, async () => {
    const unknown = unknownParameter(request.query, []);
    if (unknown) return badRequest(unknown);
    return json(200, await pipelineStats(source, systemClock()));
  });
}

app.http('leadStats', { route: 'stats', methods: ['GET'], authLevel: 'function', handler: leadStatsHandler });
