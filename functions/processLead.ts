import { app, type InvocationContext } from '@azure/functions';

import { systemClock } from '../shared/clock';
import { appConfig } from '../shared/config';
import { recordLead } from '../shared/record/recordLead';
import { createRecordStore } from '../shared/record/recordStore';
import { STORAGE_DEADLINES } from '../shared/storage/deadline';
import { createTelemetry } from '../shared/telemetry';

const config = appConfig();
const store = createRecordStore(config, STORAGE_DEADLINES.background);
const telemetry = createTelemetry(config.appInsightsConnectionString);

export async function processLeadHandler(message: unknown, context: InvocationContext): Promise<void> {
  const id = context.triggerMetadata?.id;
  const messageId = typeof id === 'string' ? id : context.invocationId;
  const outcome = await recordLead(message, messageId, {
    store,
    clock: systemClock,
    telemetry,
    policy: config,
    log: (line) => context.log(line),
  });
  if (outcome.kind === 'stored') {
    const what = outcome.duplicateDelivery ? 'already stored (redelivery)' : outcome.merged ? 'merged into' : 'created';
    context.log(
      `Lead ${what} record ${outcome.leadId}: stage ${outcome.record.stage}, ${outcome.record.eventCount} event(s)${outcome.record.isTest ? ', test lead' : ''}`,
    );
  }
}

// A throw (storage down) lets the host retry and, after maxDequeueCount, park the message in leads-incoming-poison.
app.storageQueue('processLead', {
  // The resolved setting, not '%LEADS_QUEUE_NAME%': in Azure a binding expression has no default, and an unset
  // setting would disable this function while ingestLead (which applies the default) keeps queueing.
  queueName: config.queueName,
  connection: 'AzureWebJobsStorage',
  handler: processLeadHandler,
});
