import type { HttpRequest, InvocationContext } from '@azure/functions';

import { systemClock } from '../../shared/clock';
import { appSettings, policyOrDefault, prepare, recordSettings } from '../../shared/config';
import type { HttpAnswer } from '../../shared/http/answer';
import { guarded } from '../../shared/http/guarded';
import { misconfigured } from '../../shared/http/misconfigured';
import { readBodyUpTo } from '../../shared/http/readBodyUpTo';
import { invalidRequest, json, notFound, tooLarge } from '../../shared/http/responses';
import { newUlid } from '../../shared/ids';
import { changeHandOffFrom } from '../../shared/queue/changeHandOffQueue';
import { warnIfHandOffWaits } from '../../shared/record/changeHandOff';
import { recordAttempt } from '../../shared/record/recordAttempt';
import { createRecordStore } from '../../shared/record/recordStore';
import { MAX_ATTEMPT_BODY_BYTES, parseAttemptBody } from '../../shared/sell/attemptBody';
import { parseLeadId } from '../../shared/sell/leadId';
import { leadView } from '../../shared/sell/leadView';
import { STORAGE_DEADLINES } from '../../shared/storage/deadline';

const ready = prepare(recordSettings, (config) => ({
  store: createRecordStore(config),
  policy: policyOrDefault(appSettings()).policy,
  ...changeHandOffFrom(appSettings(), config.storageConnection, systemClock, STORAGE_DEADLINES.request),
}));

export function handler(request: HttpRequest, context: InvocationContext): Promise<HttpAnswer> {
  return guarded(context, () => logAttempt(request, context));
}

async function logAttempt(request: HttpRequest, context: InvocationContext): Promise<HttpAnswer> {
  const deps = ready();
  if (!deps.ok) return misconfigured(context, deps.problems);
  // Read (up to the limit) whatever the id, so the connection stays usable for the answer.
  const body = await readBodyUpTo(request.body, MAX_ATTEMPT_BODY_BYTES);
  const id = parseLeadId(request.params.id);
  if (!id.ok) return invalidRequest([id.problem]);
  if (body.truncated) return tooLarge(MAX_ATTEMPT_BODY_BYTES);
  const parsed = parseAttemptBody(Buffer.from(body.bytes).toString('utf8'), systemClock());
  if (!parsed.ok) return json(400, parsed.body);
  const leadId = id.value;
  const result = await recordAttempt({ ...deps.value, clock: systemClock, newId: newUlid }, leadId, parsed.attempt);
  if (!result.ok && result.reason === 'notFound') return notFound(`No lead with id ${leadId}`);
  if (!result.ok) {
    return invalidRequest([
      { field: 'amends', rule: 'known', message: `amends must be the event id of an attempt of lead ${leadId}` },
    ]);
  }
  context.log(`Lead ${leadId}: attempt ${result.attempt.eventId} recorded via ${result.attempt.via}`);
  warnIfHandOffWaits((line) => context.warn(line), leadId, result);
  return json(201, { attempt: result.attempt, lead: leadView(result.record) });
}
