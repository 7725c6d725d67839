import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';

import { guarded } from '../shared/http/guarded';
import { dashboardResponse } from '../shared/sell/dashboard/page';

export async function dashboardHandler(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return guarded(context, () => dashboardResponse());
}

// authLevel function: the page is opened with ?code=<key> and hands that key to the API calls it makes.
app.http('dashboard', { route: 'dashboard', methods: ['GET'], authLevel: 'function', handler: dashboardHandler });
