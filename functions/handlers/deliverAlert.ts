import type { InvocationContext } from '@azure/functions';

import { systemClock } from '../../shared/clock';
import { alertSettings, appSettings, prepare, trialsOrDefault, valueOrThrow } from '../../shared/config';
import { tableBurstStore, tableSentMarks } from '../../shared/followUp/alerts/alertTables';
import { burstRule } from '../../shared/followUp/alerts/burst';
import { type AlertOutcome, deliverAlert, deliverDigest } from '../../shared/followUp/alerts/deliverAlert';
import { teamsChannel } from '../../shared/followUp/alerts/teamsChannel';
import { createMailer } from '../../shared/mail/createMailer';
import { encodeAlertMessage, parseAlertMessage } from '../../shared/queue/alertEnvelope';
import { intentRowKey } from '../../shared/record/intents';
import { createRecordStore } from '../../shared/record/recordStore';
import { once, queueClient, tableClient } from '../../shared/storage/clients';
import { STORAGE_DEADLINES } from '../../shared/storage/deadline';

const ready = prepare(alertSettings, (config) => {
  const queue = queueClient(config.storageConnection, config.alerts.queueName, STORAGE_DEADLINES.background);
  const ensureQueue = once(() => queue.createIfNotExists());
  const table = (name: string) => tableClient(config.storageConnection, name, STORAGE_DEADLINES.background);
  return {
    config,
    store: createRecordStore(config, STORAGE_DEADLINES.background),
    bursts: tableBurstStore(table(config.tables.alertBursts)),
    sent: tableSentMarks(table(config.tables.alertsSent)),
    scheduleDigest: async (message: Parameters<typeof encodeAlertMessage>[0], delayMs: number) => {
      await ensureQueue();
      // Hidden until the digest is due; never expires (a digest is only ever late, not lost).
      await queue.sendMessage(encodeAlertMessage(message), {
        visibilityTimeout: Math.ceil(delayMs / 1000),
        messageTimeToLive: -1,
      });
    },
  };
});

function outcomeText(outcome: AlertOutcome): string {
  if (outcome.kind === 'sent') return `sent (${outcome.channels.join(', ') || 'every channel already had it'})`;
  if (outcome.kind === 'held') return `held for digest ${outcome.digestId}`;
  return `not sent: ${outcome.why}`;
}

export async function handler(message: unknown, context: InvocationContext): Promise<void> {
  // A throw (settings wrong, storage down, a channel failed) leaves the message for a retry, then the poison queue.
  const { config, store, bursts, sent, scheduleDigest } = valueOrThrow(ready());
  const parsed = parseAlertMessage(message);
  if (!parsed.ok)
    throw new Error(`Alert message ${String(context.triggerMetadata?.id)} is malformed: ${parsed.reason}`);
  const alert = parsed.message;
  const what = alert.kind === 'alert' ? `Alert ${alert.alertId} (lead ${alert.leadId})` : `Digest ${alert.digestId}`;
  if (!config.alerts.onNewLead && alert.kind === 'alert') {
    // Dropped, and so taken: its intent (which names the owner) would otherwise stay in the lead's partition for good.
    await store.settleIntent(alert.leadId, intentRowKey({ kind: 'alert', message: alert }));
    context.log(`${what} not sent: ALERT_ON_NEW_LEAD is false`);
    return;
  }
  // Recipients and URLs are never logged: ids only.
  const log = (line: string): void => context.log(line);
  const mailer = createMailer(config.mail, log);
  // Read apart from the alert's own settings: while the Teams ones are wrong, the email still goes out.
  const teams = teamsChannel(appSettings().teamsChannel, { log });
  try {
    const deps = {
      records: store,
      bursts,
      sent,
      mailer,
      teams,
      scheduleDigest,
      clock: systemClock,
      link: { publicBaseUrl: config.publicBaseUrl, ...config.contactLink },
      trials: trialsOrDefault(appSettings()),
      rule: burstRule(config.alerts.burst),
      log: { info: log, warn: (line: string) => context.warn(line) },
    };
    const outcome = alert.kind === 'alert' ? await deliverAlert(alert, deps) : await deliverDigest(alert, deps);
    context.log(`${what} ${outcomeText(outcome)}`);
    // Taken: processing's intent for it is forgotten, so a redelivered lead message does not queue it again.
    if (alert.kind === 'alert') await store.settleIntent(alert.leadId, intentRowKey({ kind: 'alert', message: alert }));
  } finally {
    mailer.close();
  }
}
