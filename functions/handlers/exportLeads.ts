import type { HttpRequest, InvocationContext } from '@azure/functions';

import { systemClock } from '../../shared/clock';
import { appSettings, prepare, recordSettings, trialsOrDefault } from '../../shared/config';
import { DEFAULT_CRITERIA } from '../../shared/config/nurture';
import type { HttpAnswer } from '../../shared/http/answer';
import { guarded } from '../../shared/http/guarded';
import { misconfigured } from '../../shared/http/misconfigured';
import { invalidRequest } from '../../shared/http/responses';
import { createRecordStore } from '../../shared/record/recordStore';
import { csvExportResponse } from '../../shared/sell/leadExport';
import { parseExportQuery } from '../../shared/sell/leadQuery';
import { nurtureColumns } from '../../shared/sell/nurtureCsv';
import { storePageSource } from '../../shared/sell/storePageSource';

const ready = prepare(recordSettings, (config) => createRecordStore(config));

export async function handler(request: HttpRequest, context: InvocationContext): Promise<HttpAnswer> {
  return guarded(context, async () => {
    const store = ready();
    if (!store.ok) return misconfigured(context, store.problems);
    const filters = parseExportQuery(request.query);
    if (!filters.ok) return invalidRequest([filters.problem]);
    const now = systemClock();
    const settings = appSettings();
    // A malformed QUALIFICATION_CRITERIA stops decisions (named there), not the export: it shows the defaults' columns.
    const criteria = settings.qualification.ok ? settings.qualification.value.criteria : DEFAULT_CRITERIA;
    const columns = nurtureColumns(criteria, trialsOrDefault(settings), now);
    return csvExportResponse(await storePageSource(store.value, now), filters.value, now, columns);
  });
}
