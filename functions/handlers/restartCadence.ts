import type { HttpRequest, InvocationContext } from '@azure/functions';

import { systemClock } from '../../shared/clock';
import { appSettings, policyOrDefault, prepare, recordSettings } from '../../shared/config';
import type { HttpAnswer } from '../../shared/http/answer';
import { guarded } from '../../shared/http/guarded';
import { misconfigured } from '../../shared/http/misconfigured';
import { readBodyUpTo } from '../../shared/http/readBodyUpTo';
import { errorAnswer, invalidRequest, json, notFound, tooLarge } from '../../shared/http/responses';
import { newUlid } from '../../shared/ids';
import { changeHandOffFrom } from '../../shared/queue/changeHandOffQueue';
import { warnIfHandOffWaits } from '../../shared/record/changeHandOff';
import { createRecordStore } from '../../shared/record/recordStore';
import { restartCadence } from '../../shared/record/restartCadence';
import { parseLeadId } from '../../shared/sell/leadId';
import { leadView } from '../../shared/sell/leadView';
import { MAX_RESTART_BODY_BYTES, parseRestartBody } from '../../shared/sell/restartBody';
import { STORAGE_DEADLINES } from '../../shared/storage/deadline';

const ready = prepare(recordSettings, (config) => ({
  store: createRecordStore(config),
  policy: policyOrDefault(appSettings()).policy,
  ...changeHandOffFrom(appSettings(), config.storageConnection, systemClock, STORAGE_DEADLINES.request),
}));

export function handler(request: HttpRequest, context: InvocationContext): Promise<HttpAnswer> {
  return guarded(context, () => restart(request, context));
}

async function restart(request: HttpRequest, context: InvocationContext): Promise<HttpAnswer> {
  const deps = ready();
  if (!deps.ok) return misconfigured(context, deps.problems);
  const body = await readBodyUpTo(request.body, MAX_RESTART_BODY_BYTES);
  const id = parseLeadId(request.params.id);
  if (!id.ok) return invalidRequest([id.problem]);
  if (body.truncated) return tooLarge(MAX_RESTART_BODY_BYTES);
  const parsed = parseRestartBody(Buffer.from(body.bytes).toString('utf8'));
  if (!parsed.ok) return json(400, parsed.body);
  const leadId = id.value;
  const result = await restartCadence({ ...deps.value, clock: systemClock, newId: newUlid }, leadId, parsed.restart);
  if (!result.ok && result.reason === 'notFound') return notFound(`No lead with id ${leadId}`);
  if (!result.ok) {
    return errorAnswer(409, {
      error: 'conflict',
      message: `Lead ${leadId} is ${result.status}: only a contacted lead without a decision has a cadence to restart`,
    });
  }
  context.log(`Lead ${leadId}: cadence restarted via ${parsed.restart.via}`);
  warnIfHandOffWaits((line) => context.warn(line), leadId, result);
  return json(200, leadView(result.record));
}
