import { app } from '@azure/functions';

import { lazyHttpHandler } from '../shared/lazyHandler';

// PUT/PATCH/DELETE are routed here too so they get a 405 naming POST; GET on the same route is the lead list.
app.http('ingestLead', {
  route: 'leads',
  methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  authLevel: 'function',
  handler: lazyHttpHandler(() => import('./handlers/ingestLead')),
});
