import { app } from '@azure/functions';

import { lazyHttpHandler } from '../shared/lazyHandler';

// authLevel function: the page is opened with ?code=<key> and hands that key to the API calls it makes.
app.http('dashboard', {
  route: 'dashboard',
  methods: ['GET'],
  authLevel: 'function',
  handler: lazyHttpHandler(() => import('./handlers/dashboard')),
});
