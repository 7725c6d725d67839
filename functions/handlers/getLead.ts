import type { HttpRequest, InvocationContext } from '@azure/functions';

import { systemClock } from '../../shared/clock';
import { appSettings, prepare, recordSettings, trialsOrDefault } from '../../shared/config';
import type { HttpAnswer } from '../../shared/http/answer';
import { guarded } from '../../shared/http/guarded';
import { misconfigured } from '../../shared/http/misconfigured';
import { invalidRequest, json, notFound } from '../../shared/http/responses';
import { createRecordStore } from '../../shared/record/recordStore';
import { leadDetail, parseDetailQuery } from '../../shared/sell/leadDetail';
import { parseLeadId } from '../../shared/sell/leadId';

const ready = prepare(recordSettings, createRecordStore);

export async function handler(request: HttpRequest, context: InvocationContext): Promise<HttpAnswer> {
  return guarded(context, async () => {
    const store = ready();
    if (!store.ok) return misconfigured(context, store.problems);
    const id = parseLeadId(request.params.id);
    if (!id.ok) return invalidRequest([id.problem]);
    const query = parseDetailQuery(request.query);
    if (!query.ok) return invalidRequest([query.problem]);
    const detail = await leadDetail(store.value, id.value, query.value.raw, {
      trials: trialsOrDefault(appSettings()),
      now: systemClock(),
    });
    return detail ? json(200, detail) : notFound(`No lead with id ${id.value}`);
  });
}
