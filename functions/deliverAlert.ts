import { app } from '@azure/functions';

import { alertQueueBindingName } from '../shared/config';
import { lazyHandler } from '../shared/lazyHandler';

app.storageQueue('deliverAlert', {
  // The setting itself, as processLead's queue (see there): a binding expression has no default in Azure.
  queueName: alertQueueBindingName(process.env),
  connection: 'AzureWebJobsStorage',
  handler: lazyHandler(() => import('./handlers/deliverAlert')),
});
