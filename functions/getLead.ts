import { app } from '@azure/functions';

import { lazyHttpHandler } from '../shared/lazyHandler';

// The literal route leads/export.csv wins over this one (docs/api.md). No length constraint on {id}: a malformed
// id gets a 400 naming it, not the host's bare 404.
app.http('getLead', {
  route: 'leads/{id}',
  methods: ['GET'],
  authLevel: 'function',
  handler: lazyHttpHandler(() => import('./handlers/getLead')),
});
