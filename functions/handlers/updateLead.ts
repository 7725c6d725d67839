import type { HttpRequest, InvocationContext } from '@azure/functions';

import { systemClock } from '../../shared/clock';
import { appSettings, decisionSettings, policyOrDefault, prepare, processingEffectSettings } from '../../shared/config';
import { knownRecipients } from '../../shared/followUp/saveEffects';
import type { HttpAnswer } from '../../shared/http/answer';
import { guarded } from '../../shared/http/guarded';
import { misconfigured } from '../../shared/http/misconfigured';
import { readBodyUpTo } from '../../shared/http/readBodyUpTo';
import { invalidRequest, json, notFound, tooLarge } from '../../shared/http/responses';
import { newUlid } from '../../shared/ids';
import { changeHandOffFrom } from '../../shared/queue/changeHandOffQueue';
import { warnIfHandOffWaits } from '../../shared/record/changeHandOff';
import { patchLead } from '../../shared/record/patchLead';
import { createRecordStore } from '../../shared/record/recordStore';
import { MAX_DECISION_BODY_BYTES } from '../../shared/sell/decisionBody';
import { parseLeadId } from '../../shared/sell/leadId';
import { parseLeadPatch } from '../../shared/sell/leadPatch';
import { leadView } from '../../shared/sell/leadView';
import { STORAGE_DEADLINES } from '../../shared/storage/deadline';

const ready = prepare(decisionSettings, (config) => {
  const { owners } = processingEffectSettings(appSettings());
  return {
    store: createRecordStore(config),
    policy: policyOrDefault(appSettings()).policy,
    known: owners === undefined ? [] : knownRecipients(owners),
    ...changeHandOffFrom(appSettings(), config.storageConnection, systemClock, STORAGE_DEADLINES.request),
    qualification: { criteria: config.criteria, disqualifyReasons: config.disqualifyReasons },
  };
});

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
  const parsed = parseLeadPatch(Buffer.from(body.bytes).toString('utf8'), deps.value.known, deps.value.qualification);
  if (!parsed.ok) return json(400, parsed.body);
  const leadId = id.value;
  const result = await patchLead({ ...deps.value, clock: systemClock, newId: newUlid }, leadId, parsed.patch);
  if (!result.ok) return notFound(`No lead with id ${leadId}`);
  const { status, owner } = parsed.patch;
  // Ids and statuses only: an owner's address is not logged.
  if (status) context.log(`Lead ${leadId} set to ${result.record.status} via ${status.via}`);
  if (owner) context.log(`Lead ${leadId} reassigned via ${owner.via}`);
  warnIfHandOffWaits((line) => context.warn(line), leadId, result);
  return json(200, leadView(result.record));
}
