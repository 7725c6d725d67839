import { app } from '@azure/functions';

import { lazyHttpHandler } from '../shared/lazyHandler';

// GET only: POST/PUT/PATCH/DELETE on this route belong to ingestLead (Microsoft posts leads here).
app.http('listLeads', {
  route: 'leads',
  methods: ['GET'],
  authLevel: 'function',
  handler: lazyHttpHandler(() => import('./handlers/listLeads')),
});
