import { app } from '@azure/functions';

import { alertQueueBindingName } from '../shared/config';
import { lazyHandler } from '../shared/lazyHandler';

const poisonQueueName = `${alertQueueBindingName(process.env)}-poison`;

app.storageQueue('keepPoisonedAlert', {
  queueName: poisonQueueName,
  connection: 'AzureWebJobsStorage',
  handler: lazyHandler(() => import('./handlers/keepPoisonedAlert')),
});
