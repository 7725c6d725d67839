import { app } from '@azure/functions';

import { lazyHandler } from '../shared/lazyHandler';

/** Hourly: a silence is counted in days, so an hour late is on time. */
export const SILENCE_SCHEDULE = '0 7 * * * *';

app.timer('watchSilence', {
  schedule: SILENCE_SCHEDULE,
  handler: lazyHandler(() => import('./handlers/watchSilence')),
});
