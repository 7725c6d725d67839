import { app, type HttpResponseInit } from '@azure/functions';
import { appConfig } from '../shared/config';
import { checkHealth } from '../shared/health';
import { json } from '../shared/http/responses';

const config = appConfig();

export async function healthHandler(): Promise<HttpResponseInit> {
  const report = await checkHealth(config);
  return json(report.ok ? 200 : 503, report);
}

app.http('health', { route: 'health', methods: ['GET'], authLevel: 'anonymous', handler: healthHandler });
