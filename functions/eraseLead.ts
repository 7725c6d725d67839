import { app } from '@azure/functions';

import { lazyHttpHandler } from '../shared/lazyHandler';

// Erasure is irreversible: only the master (admin) key may do it, not the key sales use for the dashboard.
app.http('eraseLead', {
  route: 'leads/{id}',
  methods: ['DELETE'],
  authLevel: 'admin',
  handler: lazyHttpHandler(() => import('./handlers/eraseLead')),
});
