import type { HttpRequest, InvocationContext } from '@azure/functions';

import { appSettings } from '../../shared/config';
import type { HttpAnswer } from '../../shared/http/answer';
import { guarded } from '../../shared/http/guarded';
import { DASHBOARD_DATA, dashboardResponse } from '../../shared/sell/dashboard/page';

export async function handler(_request: HttpRequest, context: InvocationContext): Promise<HttpAnswer> {
  // While QUALIFICATION_CRITERIA or DISQUALIFY_REASONS is malformed the page shows the defaults, and PATCH refuses
  // decisions naming the setting (the decisions capability).
  const qualification = appSettings().qualification;
  const data = qualification.ok
    ? {
        ...DASHBOARD_DATA,
        criteria: qualification.value.criteria,
        disqualifyReasons: qualification.value.disqualifyReasons,
      }
    : DASHBOARD_DATA;
  return guarded(context, () => dashboardResponse(data));
}
