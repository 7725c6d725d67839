import type { HttpRequest, InvocationContext } from '@azure/functions';

import { systemClock } from '../../shared/clock';
import { prepare, recordSettings } from '../../shared/config';
import type { HttpAnswer } from '../../shared/http/answer';
import { guarded } from '../../shared/http/guarded';
import { misconfigured } from '../../shared/http/misconfigured';
import { invalidRequest } from '../../shared/http/responses';
import { createRecordStore } from '../../shared/record/recordStore';
import { csvExportResponse } from '../../shared/sell/leadExport';
import { parseExportQuery } from '../../shared/sell/leadQuery';
import { storePageSource } from '../../shared/sell/storePageSource';

const ready = prepare(recordSettings, (config) => createRecordStore(config));

export async function handler(request: HttpRequest, context: InvocationContext): Promise<HttpAnswer> {
  return guarded(context, async () => {
    const store = ready();
    if (!store.ok) return misconfigured(context, store.problems);
    const filters = parseExportQuery(request.query);
    if (!filters.ok) return invalidRequest([filters.problem]);
    const now = systemClock();
    return csvExportResponse(await storePageSource(store.value, now), filters.value, now);
  });
}
