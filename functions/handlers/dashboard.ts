import type { HttpRequest, InvocationContext } from '@azure/functions';

import type { HttpAnswer } from '../../shared/http/answer';
import { guarded } from '../../shared/http/guarded';
import { dashboardResponse } from '../../shared/sell/dashboard/page';

export async function handler(_request: HttpRequest, context: InvocationContext): Promise<HttpAnswer> {
  return guarded(context, () => dashboardResponse());
}
