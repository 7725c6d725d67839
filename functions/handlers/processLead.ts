import type { InvocationContext } from '@azure/functions';

import { systemClock } from '../../shared/clock';
import {
  appSettings,
  policyOrDefault,
  prepare,
  processingEffectSettings,
  recordSettings,
  telemetrySettings,
  valueOrThrow,
} from '../../shared/config';
import { arrivalEffects } from '../../shared/followUp/saveEffects';
import { newUlid } from '../../shared/ids';
import { intentQueues } from '../../shared/queue/intentQueues';
import { accountLineFor } from '../../shared/record/accountIndex';
import { recordLead } from '../../shared/record/recordLead';
import { createRecordStore } from '../../shared/record/recordStore';
import { STORAGE_DEADLINES } from '../../shared/storage/deadline';
import { createTelemetry } from '../../shared/telemetry';

const ready = prepare(recordSettings, (config) => {
  const { problems: effectProblems, alertQueue, handOffQueue, ...effects } = processingEffectSettings(appSettings());
  const store = createRecordStore(config, STORAGE_DEADLINES.background);
  return {
    store,
    telemetry: createTelemetry(telemetrySettings(appSettings())),
    ...policyOrDefault(appSettings()),
    effects: arrivalEffects({
      ...effects,
      alertOnNewLead: alertQueue !== undefined,
      handOff: handOffQueue !== undefined,
      clock: systemClock,
      newId: newUlid,
      // One query of the account's people, for alerting leads of an account only.
      accountLine: (record, account) => accountLineFor(store, record, account, systemClock()),
    }),
    queues: intentQueues(config.storageConnection, { alertQueue, handOffQueue }),
    effectProblems,
  };
});

export async function handler(message: unknown, context: InvocationContext): Promise<void> {
  // A throw (here: the tables' settings are wrong) leaves the message for a retry, and the poison queue after that.
  const { store, telemetry, policy, problems, effects, queues, effectProblems } = valueOrThrow(ready());
  if (problems.length > 0)
    context.warn(
      `Follow-ups scheduled with the default policy until fixed: ${problems.map((p) => p.message).join('; ')}`,
    );
  if (effectProblems.length > 0)
    context.warn(`No owner is assigned until fixed: ${effectProblems.map((p) => p.message).join('; ')}`);
  const id = context.triggerMetadata?.id;
  const messageId = typeof id === 'string' ? id : context.invocationId;
  const outcome = await recordLead(message, messageId, {
    store,
    clock: systemClock,
    telemetry,
    policy,
    log: (line) => context.log(line),
    effects,
    queues,
  });
  if (outcome.kind === 'stored') {
    const what = outcome.duplicateDelivery ? 'already stored (redelivery)' : outcome.merged ? 'merged into' : 'created';
    context.log(
      `Lead ${what} record ${outcome.leadId}: stage ${outcome.record.stage}, ${outcome.record.eventCount} event(s)${outcome.record.isTest ? ', test lead' : ''}`,
    );
  }
}
