import { app } from '@azure/functions';

import { lazyHttpHandler } from '../shared/lazyHandler';

app.http('health', {
  route: 'health',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: lazyHttpHandler(() => import('./handlers/health')),
});
