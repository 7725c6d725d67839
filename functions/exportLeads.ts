import { app } from '@azure/functions';

import { lazyHttpHandler } from '../shared/lazyHandler';

app.http('exportLeads', {
  route: 'leads/export.csv',
  methods: ['GET'],
  authLevel: 'function',
  handler: lazyHttpHandler(() => import('./handlers/exportLeads')),
});
