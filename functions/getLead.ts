import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';

import { prepare, recordSettings } from '../shared/config';
import { guarded } from '../shared/http/guarded';
import { misconfigured } from '../shared/http/misconfigured';
import { invalidRequest, json, notFound } from '../shared/http/responses';
import { createRecordStore } from '../shared/record/recordStore';
import { leadDetail, parseDetailQuery } from '../shared/sell/leadDetail';
import { parseLeadId } from '../shared/sell/leadId';

const ready = prepare(recordSettings, createRecordStore);

export async function getLeadHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return guarded(context, async () => {
    const store = ready();
    if (!store.ok) return misconfigured(context, store.problems);
    const id = parseLeadId(request.params.id);
    if (!id.ok) return invalidRequest([id.problem]);
    const query = parseDetailQuery(request.query);
    if (!query.ok) return invalidRequest([query.problem]);
    const detail = await leadDetail(store.value, id.value, query.value.raw);
    return detail ? json(200, detail) : notFound(`No lead with id ${id.value}`);
  });
}

// `leads/export.csv` is a literal route and wins over this parameter route on the real and the local host.
// No length constraint on {id}: a malformed id gets a 400 naming the parameter, not the host's bare 404.
// leads/export.csv is a literal route and takes precedence (see docs/api.md).
app.http('getLead', { route: 'leads/{id}', methods: ['GET'], authLevel: 'function', handler: getLeadHandler });
