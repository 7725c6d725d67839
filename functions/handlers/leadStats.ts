import type { HttpRequest, InvocationContext } from '@azure/functions';

import { systemClock } from '../../shared/clock';
import { prepare, recordSettings } from '../../shared/config';
import type { HttpAnswer } from '../../shared/http/answer';
import { guarded } from '../../shared/http/guarded';
import { misconfigured } from '../../shared/http/misconfigured';
import { invalidRequest, json } from '../../shared/http/responses';
import { createRecordStore } from '../../shared/record/recordStore';
import { unknownParameter } from '../../shared/sell/leadQuery';
import { pipelineStats } from '../../shared/sell/pipelineStats';
import { storePageSource } from '../../shared/sell/storePageSource';

const ready = prepare(recordSettings, (config) => createRecordStore(config));

export async function handler(request: HttpRequest, context: InvocationContext): Promise<HttpAnswer> {
  return guarded(context, async () => {
    const store = ready();
    if (!store.ok) return misconfigured(context, store.problems);
    const unknown = unknownParameter(request.query, []);
    if (unknown) return invalidRequest([unknown]);
    const now = systemClock();
    return json(200, await pipelineStats(await storePageSource(store.value, now), now));
  });
}
