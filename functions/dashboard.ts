import { app, type HttpResponseInit } from '@azure/functions';
import { dashboardResponse } from '../shared/dashboard/page';

export async function dashboardHandler(): Promise<HttpResponseInit> {
  return dashboardResponse();
}

// authLevel function: the page is opened with ?code=<key> and hands that key to the API calls it makes.
app.http('dashboard', { route: 'dashboard', methods: ['GET'], authLevel: 'function', handler: dashboardHandler });
