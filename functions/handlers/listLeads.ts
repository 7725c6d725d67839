import type { HttpRequest, InvocationContext } from '@azure/functions';

import { systemClock } from '../../shared/clock';
import { appSettings, prepare, recordSettings, trialsOrDefault } from '../../shared/config';
import type { HttpAnswer } from '../../shared/http/answer';
import { guarded } from '../../shared/http/guarded';
import { misconfigured } from '../../shared/http/misconfigured';
import { invalidRequest, json } from '../../shared/http/responses';
import { createRecordStore } from '../../shared/record/recordStore';
import { parseListQuery } from '../../shared/sell/leadQuery';
import { leadView } from '../../shared/sell/leadView';
import { listLeads } from '../../shared/sell/listLeads';
import { nurtureView } from '../../shared/sell/nurtureView';
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
      // Stalled and the trial's label depend on the time and the trial lengths: computed as the page is read.
      items: page.items.map((r) => ({ ...leadView(r), ...nurtureView(r, trialsOrDefault(appSettings()), now) })),
      continuation: page.continuation ?? null,
      scanned: page.scanned,
    });
  });
}
