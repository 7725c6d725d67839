import type { InvocationContext, Timer } from '@azure/functions';

import { systemClock } from '../../shared/clock';
import { prepare, silenceSettings, valueOrThrow } from '../../shared/config';
import { createMailer } from '../../shared/mail/createMailer';
import { tableSilenceState } from '../../shared/ops/opsState';
import { caughtUpArrivals } from '../../shared/ops/recentArrivals';
import { silenceRecipients } from '../../shared/ops/silence';
import { runSilenceCheck } from '../../shared/ops/silenceRun';
import { createRecordStore } from '../../shared/record/recordStore';
import { tableClient } from '../../shared/storage/clients';
import { STORAGE_DEADLINES } from '../../shared/storage/deadline';

const ready = prepare(silenceSettings, (config) => ({
  config,
  store: createRecordStore(config, STORAGE_DEADLINES.background),
  state: tableSilenceState(tableClient(config.storageConnection, config.tables.opsState, STORAGE_DEADLINES.background)),
}));

export async function handler(_timer: Timer, context: InvocationContext): Promise<void> {
  // Every run fails naming the settings while they are wrong, so monitoring sees it.
  const { config, store, state } = valueOrThrow(ready());
  const mailer = createMailer(config.mail, (line) => context.log(line));
  try {
    const outcome = await runSilenceCheck({
      lastArrivals: () => caughtUpArrivals(store, systemClock(), { want: 'real', maxRecords: 1000 }),
      state,
      mailer,
      recipients: silenceRecipients({
        opsEmail: config.silence.opsEmail,
        escalationEmail: config.escalationEmail,
        defaultRecipients: config.defaultRecipients,
      }),
      days: config.silence.days,
      clock: systemClock,
    });
    // Counts only: who ops are is not for the logs.
    if (outcome.action === 'alarm')
      context.warn(
        `ALERT: no real lead for ${config.silence.days} days; silence alarm sent to ${outcome.recipients} address(es)`,
      );
    else if (outcome.action === 'back')
      context.log(`Leads are arriving again; note sent to ${outcome.recipients} address(es)`);
  } finally {
    mailer.close();
  }
}
