import { app } from '@azure/functions';

import { lazyHttpHandler } from '../shared/lazyHandler';

app.http('leadStats', {
  route: 'stats',
  methods: ['GET'],
  authLevel: 'function',
  handler: lazyHttpHandler(() => import('./handlers/leadStats')),
});
