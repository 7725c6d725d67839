import { app } from '@azure/functions';

import { lazyHttpHandler } from '../shared/lazyHandler';

app.http('logAttempt', {
  route: 'leads/{id}/attempts',
  methods: ['POST'],
  authLevel: 'function',
  handler: lazyHttpHandler(() => import('./handlers/logAttempt')),
});
