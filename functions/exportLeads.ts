import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { badRequest, guarded } from '../shared/api/http';
import { csvExportResponse } from '../shared/api/leadExport';
import { parseExportQuery } from '../shared/api/leadQuery';
import { storePageSource } from '../shared/api/storePageSource';
import { systemClock } from '../shared/clock';
import { appConfig } from '../shared/config';
import { createLeadStore } from '../shared/leads/leadStore';

const source = storePageSource(createLeadStore(appConfig()));

export async function exportLeadsHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return guarded(context, async () => {
    const filters = parseExportQuery(request.query);
    if (!filters.ok) return badRequest(filters.problem);
    return csvExportResponse(source, filters.value, systemClock());
  });
}

app.http('exportLeads', { route: 'leads/export.csv', methods: ['GET'], authLevel: 'function', handler: exportLeadsHandler });
