import type { HttpRequest, InvocationContext } from '@azure/functions';

import { systemClock } from '../../shared/clock';
import { appSettings, decisionSettings, policyOrDefault, prepare } from '../../shared/config';
import type { HttpAnswer } from '../../shared/http/answer';
import { guarded } from '../../shared/http/guarded';
import { misconfigured } from '../../shared/http/misconfigured';
import { readBodyUpTo } from '../../shared/http/readBodyUpTo';
import { invalidRequest, json, notFound, tooLarge } from '../../shared/http/responses';
import { newUlid } from '../../shared/ids';
import { changeLeadStatus } from '../../shared/record/changeStatus';
import { createRecordStore } from '../../shared/record/recordStore';
import { MAX_DECISION_BODY_BYTES, parseDecisionUpdate } from '../../shared/sell/decisionBody';
import { parseLeadId } from '../../shared/sell/leadId';
import { leadView } from '../../shared/sell/leadView';

const ready = prepare(decisionSettings, (config) => ({
  store: createRecordStore(config),
  policy: policyOrDefault(appSettings()).policy,
  qualification: { criteria: config.criteria, disqualifyReasons: config.disqualifyReasons },
}));

export function handler(request: HttpRequest, context: InvocationContext): Promise<HttpAnswer> {
  return guarded(context, () => updateLead(request, context));
}

async function updateLead(request: HttpRequest, context: InvocationContext): Promise<HttpAnswer> {
  const deps = ready();
  if (!deps.ok) return misconfigured(context, deps.problems);
  // The body is read (up to its limit) whatever the id, so the connection stays usable for the answer.
  const body = await readBodyUpTo(request.body, MAX_DECISION_BODY_BYTES);
  const id = parseLeadId(request.params.id);
  if (!id.ok) return invalidRequest([id.problem]);
  if (body.truncated) return tooLarge(MAX_DECISION_BODY_BYTES);
  // Answers go with qualified and a configured reason with disqualified (docs/api.md).
  const parsed = parseDecisionUpdate(Buffer.from(body.bytes).toString('utf8'), deps.value.qualification);
  if (!parsed.ok) return json(400, parsed.body);
  const leadId = id.value;
  const result = await changeLeadStatus({ ...deps.value, clock: systemClock, newId: newUlid }, leadId, parsed.update);
  if (!result.ok) return notFound(`No lead with id ${leadId}`);
  context.log(`Lead ${leadId} set to ${result.record.status} via ${parsed.update.via}`);
  return json(200, leadView(result.record));
}
