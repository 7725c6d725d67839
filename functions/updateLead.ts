import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';

import { systemClock } from '../shared/clock';
import { appSettings, policyOrDefault, prepare, recordSettings } from '../shared/config';
import { guarded } from '../shared/http/guarded';
import { misconfigured } from '../shared/http/misconfigured';
import { readBodyUpTo } from '../shared/http/readBodyUpTo';
import { bodyTooLarge, json, problem } from '../shared/http/responses';
import { newUlid } from '../shared/ids';
import { changeLeadStatus } from '../shared/record/changeStatus';
import { isUlid } from '../shared/record/keys';
import { createRecordStore } from '../shared/record/recordStore';
import { leadView } from '../shared/sell/leadView';
import { MAX_BODY_BYTES as MAX_STATUS_BODY_BYTES, parseStatusUpdate } from '../shared/sell/statusUpdate';

const ready = prepare(recordSettings, (config) => ({
  store: createRecordStore(config),
  policy: policyOrDefault(appSettings()).policy,
}));

export function updateLeadHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return guarded(context, () => updateLead(request, context));
}

async function updateLead(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const deps = ready();
  if (!deps.ok) return misconfigured(context, deps.problems);
  // Ids are upper-case ULIDs; Crockford base32 is case-insensitive, so a lower-cased copy still names the lead.
  const leadId = (request.params.id ?? '').toUpperCase();
  const body = await readBodyUpTo(request.body, MAX_STATUS_BODY_BYTES);
  if (body.truncated) return bodyTooLarge(MAX_STATUS_BODY_BYTES);
  const parsed = parseStatusUpdate(Buffer.from(body.bytes).toString('utf8'));
  if (!parsed.ok) return json(400, parsed.body);
  // Not a ULID cannot be a lead of ours (and would not even make a table key).
  if (!isUlid(leadId)) return problem(404, 'lead_not_found', 'No lead has this id');
  const result = await changeLeadStatus({ ...deps.value, clock: systemClock, newId: newUlid }, leadId, parsed.update);
  if (!result.ok) return problem(404, 'lead_not_found', 'No lead has this id');
  context.log(`Lead ${leadId} set to ${result.record.status} via ${parsed.update.via}`);
  return json(200, leadView(result.record));
}

app.http('updateLead', { route: 'leads/{id}', methods: ['PATCH'], authLevel: 'function', handler: updateLeadHandler });
