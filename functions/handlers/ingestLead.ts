import type { HttpRequest, InvocationContext } from '@azure/functions';

import { systemClock } from '../../shared/clock';
import { appSettings, clientIpKey, prepare, receiveSettings } from '../../shared/config';
import type { HttpAnswer } from '../../shared/http/answer';
import { guarded } from '../../shared/http/guarded';
import { misconfigured } from '../../shared/http/misconfigured';
import { readBodyUpTo } from '../../shared/http/readBodyUpTo';
import { errorAnswer, json, methodNotAllowed } from '../../shared/http/responses';
import { newUlid } from '../../shared/ids';
import { leadQueue } from '../../shared/queue/leadQueue';
import { receiveLead } from '../../shared/receive/receiveLead';
import { MAX_BODY_BYTES } from '../../shared/receive/validateLeadBody';

// Only the queue: a lead is accepted whatever the state of the reminder, mail or link settings.
const ready = prepare(receiveSettings, (config) => ({ queue: leadQueue(config), ipKey: clientIpKey(appSettings()) }));

export async function handler(request: HttpRequest, context: InvocationContext): Promise<HttpAnswer> {
  return guarded(context, () => ingest(request, context));
}

async function ingest(request: HttpRequest, context: InvocationContext): Promise<HttpAnswer> {
  const deps = ready();
  if (!deps.ok) return misconfigured(context, deps.problems);
  if (request.method !== 'POST') {
    return methodNotAllowed(['POST'], 'Leads are POSTed to this URL');
  }
  const { bytes: body } = await readBodyUpTo(request.body, MAX_BODY_BYTES);
  const outcome = await receiveLead(
    body,
    {
      contentType: request.headers.get('content-type') ?? undefined,
      userAgent: request.headers.get('user-agent') ?? undefined,
      clientIp: request.headers.get('x-forwarded-for')?.split(',')[0]?.trim(),
      queryKeys: [...request.query.keys()],
    },
    { enqueue: deps.value.queue.enqueue, now: systemClock, newId: newUlid, clientIpSecret: deps.value.ipKey },
  );
  switch (outcome.status) {
    case 202:
      context.log(
        `Lead ${outcome.body.id} queued (${body.length} bytes${outcome.test ? ', test lead' : ''}${outcome.recognised ? '' : ', unrecognised shape'})`,
      );
      return json(202, outcome.body);
    case 503:
      context.error(`Lead not accepted, queue unavailable: ${outcome.cause}`);
      return errorAnswer(503, outcome.body, {}, { 'retry-after': String(outcome.retryAfterSeconds) });
    default:
      context.warn(
        `Lead rejected with ${outcome.status}: ${outcome.body.problems.map((p) => `${p.field} ${p.rule}`).join(', ')}`,
      );
      return errorAnswer(outcome.status, outcome.body);
  }
}
