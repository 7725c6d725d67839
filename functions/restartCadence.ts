import { app } from '@azure/functions';

import { lazyHttpHandler } from '../shared/lazyHandler';

app.http('restartCadence', {
  route: 'leads/{id}/cadence/restart',
  methods: ['POST'],
  authLevel: 'function',
  handler: lazyHttpHandler(() => import('./handlers/restartCadence')),
});
