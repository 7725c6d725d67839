import { app } from '@azure/functions';

import { queueBindingName } from '../shared/config';
import { lazyHandler } from '../shared/lazyHandler';

// The host's copies in the poison queue expire after 7 days; this function keeps each one for good.
app.storageQueue('keepPoisonedLead', {
  // Bound at registration, like processLead's queue (see there).
  queueName: `${queueBindingName(process.env)}-poison`,
  connection: 'AzureWebJobsStorage',
  handler: lazyHandler(() => import('./handlers/keepPoisonedLead')),
});
