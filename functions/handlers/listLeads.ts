import type { HttpRequest, InvocationContext } from '@azure/functions';

import { systemClock } from '../../shared/clock';
import { prepare, recordSettings } from '../../shared/config';
import type { HttpAnswer } from '../../shared/http/answer';
import { guarded } from '../../shared/http/guarded';
import { misconfigured } from '../../shared/http/misconfigured';
import { invalidRequest, json } from '../../shared/http/responses';
import { createRecordStore } from '../../shared/record/recordStore';
import { parseListQuery } from '../../shared/sell/leadQuery';
import { leadView } from '../../shared/sell/leadView';
import { listLeads } from '../../shared/sell/listLeads';
import { storePageSource } from '../../shared/sell/storePageSource';

const ready = prepare(recordSettings, (config) => createRecordStore(config));

export async function handler(request: HttpRequest, context: InvocationContext): Promise<HttpAnswer> {
  return guarded(context, async () => {
    const store = ready();
    if (!store.ok) return misconfigured(context, store.problems);
    const query = parseListQuery(request.query);
    if (!query.ok) return invalidRequest([query.problem]);
    const now = systemClock();
    const page = await listLeads(await storePageSource(store.value, now), query.value, now);
    return json(200, {
      items: page.items.map(leadView),
      continuation: page.continuation ?? null,
      scanned: page.scanned,
    });
  });
}
