import { app } from '@azure/functions';

import { lazyHttpHandler } from '../shared/lazyHandler';

app.http('updateLead', {
  route: 'leads/{id}',
  methods: ['PATCH'],
  authLevel: 'function',
  handler: lazyHttpHandler(() => import('./handlers/updateLead')),
});
