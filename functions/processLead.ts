import { app } from '@azure/functions';

import { queueBindingName } from '../shared/config';
import { lazyHandler } from '../shared/lazyHandler';

// A throw (storage down) lets the host retry and, after maxDequeueCount, park the message in leads-incoming-poison.
app.storageQueue('processLead', {
  // The setting itself, not '%LEADS_QUEUE_NAME%': in Azure a binding expression has no default, and an unset
  // setting would disable this function while ingestLead (which applies the default) keeps queueing. A name the
  // host refuses disables this function only, and ingestLead answers misconfigured: nothing is accepted unread.
  queueName: queueBindingName(process.env),
  connection: 'AzureWebJobsStorage',
  handler: lazyHandler(() => import('./handlers/processLead')),
});
