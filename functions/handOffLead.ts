import { app } from '@azure/functions';

import { handOffQueueBindingName } from '../shared/config';
import { lazyHandler } from '../shared/lazyHandler';

app.storageQueue('handOffLead', {
  queueName: handOffQueueBindingName(process.env),
  connection: 'AzureWebJobsStorage',
  handler: lazyHandler(() => import('./handlers/handOffLead')),
});
