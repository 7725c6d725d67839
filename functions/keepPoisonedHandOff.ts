import { app } from '@azure/functions';

import { handOffQueueBindingName } from '../shared/config';
import { lazyHandler } from '../shared/lazyHandler';

const poisonQueueName = `${handOffQueueBindingName(process.env)}-poison`;

app.storageQueue('keepPoisonedHandOff', {
  queueName: poisonQueueName,
  connection: 'AzureWebJobsStorage',
  handler: lazyHandler(() => import('./handlers/keepPoisonedHandOff')),
});
