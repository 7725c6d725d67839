import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';

import { appSettings } from '../shared/config';
import { guarded } from '../shared/http/guarded';
import { DASHBOARD_DATA, dashboardResponse } from '../shared/sell/dashboard/page';

export async function dashboardHandler(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  // While QUALIFICATION_CRITERIA or DISQUALIFY_REASONS is malformed the page shows the defaults, and PATCH refuses
  // decisions naming the setting (the decisions capability).
  const qualification = appSettings().qualification;
  const data = qualification.ok
    ? {
        ...DASHBOARD_DATA,
        criteria: qualification.value.criteria,
        disqualifyReasons: qualification.value.disqualifyReasons,
      }
    : DASHBOARD_DATA;
  return guarded(context, () => dashboardResponse(data));
}

// authLevel function: the page is opened with ?code=<key> and hands that key to the API calls it makes.
app.http('dashboard', { route: 'dashboard', methods: ['GET'], authLevel: 'function', handler: dashboardHandler });
