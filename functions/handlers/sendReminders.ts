import type { InvocationContext, Timer } from '@azure/functions';

import { systemClock } from '../../shared/clock';
import { appSettings, prepare, reminderSettings, valueOrThrow } from '../../shared/config';
import { runReminders } from '../../shared/followUp/runReminders';
import { newUlid } from '../../shared/ids';
import { createMailer } from '../../shared/mail/createMailer';
import { changeHandOffFrom } from '../../shared/queue/changeHandOffQueue';
import { createRecordStore } from '../../shared/record/recordStore';
import { catchUpListing } from '../../shared/sell/listing';
import { tableClient } from '../../shared/storage/clients';
import { STORAGE_DEADLINES } from '../../shared/storage/deadline';

const ready = prepare(reminderSettings, (config) => ({
  config,
  store: createRecordStore(config, STORAGE_DEADLINES.background),
  locks: tableClient(config.storageConnection, config.tables.locks, STORAGE_DEADLINES.background),
  handOff: changeHandOffFrom(appSettings(), config.storageConnection, systemClock),
}));

const LISTING_CATCH_UP_PER_RUN = 1000;

export async function handler(timer: Timer, context: InvocationContext): Promise<void> {
  // Every run fails naming the settings while they are wrong, so monitoring sees it (REMINDER_SCHEDULE included).
  const { config, store, locks, handOff } = valueOrThrow(ready());
  // One transport per run: runs are minutes apart, and a fresh connection never inherits a broken one.
  const mailer = createMailer(config.mail, (line) => context.log(line));
  try {
    const summary = await runReminders(
      {
        store,
        locks,
        mailer,
        ...handOff,
        clock: systemClock,
        newId: newUlid,
        config,
        log: { info: (m) => context.log(m), warn: (m) => context.warn(m), error: (m) => context.error(m) },
      },
      { isPastDue: timer.isPastDue },
    );
    // The lead list catches up on every request too; this keeps what a request has to do small (docs/storage.md).
    await catchUpListing(store, systemClock(), LISTING_CATCH_UP_PER_RUN);
    // A refused digest fails the invocation so monitoring sees it; its leads stay due and the next tick retries.
    if (summary.failed > 0) {
      throw new Error(
        `${summary.failed} of ${summary.failed + summary.sent} reminder digest(s) were not accepted by the mail server; their leads stay due for the next run`,
      );
    }
  } finally {
    mailer.close();
  }
}
