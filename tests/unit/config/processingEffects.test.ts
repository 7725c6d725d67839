/**
 * Which intents processing makes while one setting is wrong. An alert or a hand-off is decided from whether its
 * feature is on, never from its delivery settings (those only stop its deliverer, which keeps the message); an
 * owner needs the owner routing only.
 */
import fs from 'node:fs';
import path from 'node:path';

import { processingEffectSettings, readSettings } from '../../../shared/config';
import { arrivalEffects } from '../../../shared/followUp/saveEffects';
import { newUlid } from '../../../shared/ids';
import { projectLead } from '../../../shared/record/projection';
import { formatWebhookSecret } from '../../../shared/sell/crm/standardWebhooks';
import { arrival } from '../../support/events';

const sample = (
  JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'local.settings.sample.json'), 'utf8')) as {
    Values: Record<string, string>;
  }
).Values;

const UNRESOLVED = '@Microsoft.KeyVault(SecretUri=https://kv-leads.vault.azure.net/secrets/webhook-secret/)';
const configured: Record<string, string> = {
  ...sample,
  TEAMS_WEBHOOK_URL: 'https://prod-00.westeurope.logic.azure.com/workflows/1/triggers/manual/paths/invoke?sig=abc',
  WEBHOOK_URL: 'https://crm.contoso.example/hooks/leads',
  WEBHOOK_SECRET: formatWebhookSecret(Buffer.alloc(32, 7)),
};

interface Made {
  owner: boolean;
  intents: string[];
  alertQueue?: string;
  handOffQueue?: string;
  warned: string[];
}

/** A brand-new lead processed with these settings: whether it got an owner, and which intents its save owes. */
async function processedWith(overrides: Record<string, string>): Promise<Made> {
  const { problems, alertQueue, handOffQueue, owners } = processingEffectSettings(
    readSettings({ ...configured, ...overrides }),
  );
  const effects = arrivalEffects({
    owners,
    alertOnNewLead: alertQueue !== undefined,
    handOff: handOffQueue !== undefined,
    clock: () => new Date('2024-05-03T12:00:00Z'),
    newId: newUlid,
  });
  const event = arrival(newUlid(), '2024-05-03T12:00:00.000Z', { email: 'ada@fabrikam.example' });
  const next = projectLead({ leadId: event.eventId, offerKey: 'contoso.widgets', identityKind: 'email' }, [event]);
  if (next === undefined) throw new Error('no record');
  const saved = await effects({ before: undefined, next, events: [event], version: 1, added: event });
  return {
    owner: saved.events.some((e) => e.kind === 'owner'),
    intents: saved.intents.map((i) => i.kind),
    alertQueue,
    handOffQueue,
    warned: problems.flatMap((p) => p.settings),
  };
}

const everything = { owner: true, intents: ['alert', 'handOff'], alertQueue: 'lead-alerts' };

test('with every setting right, a new lead gets an owner, an alert and a hand-off on the configured queues', async () => {
  expect(await processedWith({ ALERT_QUEUE_NAME: 'a-alerts', HANDOFF_QUEUE_NAME: 'a-handoffs' })).toEqual({
    ...everything,
    alertQueue: 'a-alerts',
    handOffQueue: 'a-handoffs',
    warned: [],
  });
});

// [setting, value]: wrong settings of the delivery, of reminders, or of features beside them.
const stillEverything: [string, string][] = [
  ['WEBHOOK_SECRET', UNRESOLVED],
  ['WEBHOOK_SECRET', 'not-a-secret'],
  ['WEBHOOK_SECRET', ''],
  ['WEBHOOK_URL', UNRESOLVED],
  ['WEBHOOK_URL', 'http://crm.contoso.example/hooks'],
  ['TEAMS_WEBHOOK_URL', UNRESOLVED],
  ['TEAMS_WEBHOOK_URL', 'not a url'],
  ['TEAMS_PAYLOAD', 'adaptive'],
  ['ALERT_BURST', 'many'],
  ['ALERT_ON_NEW_LEAD', 'yes'],
  ['ALERT_ON_NEW_LEAD', UNRESOLVED],
  ['PUBLIC_BASE_URL', ''],
  ['CONTACT_LINK_TTL_DAYS', '0'],
  ['CONTACT_LINK_SECRET', ''],
  ['REMINDER_SCHEDULE', 'every night'],
  ['ESCALATION_EMAIL', 'nobody'],
  ['MAIL_FROM', ''],
  ['MAIL_TRANSPORT', 'pigeon'],
  ['SILENCE_ALERT_DAYS', 'never'],
];

test.each(stillEverything)('with %s="%s" the lead still gets its owner, alert and hand-off', async (name, value) => {
  expect(await processedWith({ [name]: value })).toEqual({
    ...everything,
    handOffQueue: 'lead-handoffs',
    warned: [],
  });
});

test('two unresolved references at once (the Teams URL and the webhook secret) drop nothing', async () => {
  expect(await processedWith({ TEAMS_WEBHOOK_URL: UNRESOLVED, WEBHOOK_SECRET: UNRESOLVED })).toEqual({
    ...everything,
    handOffQueue: 'lead-handoffs',
    warned: [],
  });
});

test.each([
  ['REMINDER_RECIPIENTS', ''],
  ['REMINDER_RECIPIENTS', 'sales-team'],
  ['REMINDER_ROUTES', '{oops'],
])(
  'with %s="%s" no owner is assigned (warned), so nobody is alerted; the hand-off is still owed',
  async (name, value) => {
    expect(await processedWith({ [name]: value })).toEqual({
      owner: false,
      intents: ['handOff'],
      alertQueue: 'lead-alerts',
      handOffQueue: 'lead-handoffs',
      warned: [name],
    });
  },
);

test('ALERT_ON_NEW_LEAD=false turns alerts off, and no WEBHOOK_URL turns hand-offs off; the owner stays', async () => {
  expect(await processedWith({ ALERT_ON_NEW_LEAD: 'false' })).toEqual({
    owner: true,
    intents: ['handOff'],
    handOffQueue: 'lead-handoffs',
    warned: [],
  });
  // A secret without a URL is a problem of the hand-off settings, yet there is nowhere to hand off to.
  expect(await processedWith({ WEBHOOK_URL: '', WEBHOOK_SECRET: UNRESOLVED })).toEqual({
    ...everything,
    intents: ['alert'],
    warned: [],
  });
});
