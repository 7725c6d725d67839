import { app } from '@azure/functions';

import { lazyHttpHandler } from '../shared/lazyHandler';

// Anonymous on purpose: the link is opened from a mailbox, and the signed token is the credential.
app.http('contactLead', {
  route: 'leads/{id}/contact',
  methods: ['GET', 'POST'],
  authLevel: 'anonymous',
  handler: lazyHttpHandler(() => import('./handlers/contactLead')),
});
