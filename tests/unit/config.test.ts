import fs from 'node:fs';
import path from 'node:path';

import {
  alertQueueBindingName,
  alertSettings,
  type AppConfig,
  clientIpKey,
  contactLinkSettings,
  DEFAULT_POLICY,
  DEFAULT_REMINDER_SCHEDULE,
  handOffQueueBindingName,
  handOffSettings,
  keepPoisonedCopyLastTrySettings,
  keepPoisonedCopySettings,
  keepPoisonedLastTrySettings,
  keepPoisonedSettings,
  loadConfig,
  misconfiguredCapabilities,
  policyOrDefault,
  queueBindingName,
  readSettings,
  receiveSettings,
  recordSettings,
  reminderBindingSchedule,
  reminderSettings,
  type SettingProblem,
  settingsReport,
  silenceSettings,
  telemetrySettings,
} from '../../shared/config';
import { DEFAULT_CADENCE_DAYS } from '../../shared/config/nurture';
import { requestMetadata } from '../../shared/queue/envelope';
import { misconfiguredTable } from '../../shared/queue/poisoned';
import { formatWebhookSecret } from '../../shared/sell/crm/standardWebhooks';

const sample = (
  JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'local.settings.sample.json'), 'utf8')) as {
    Values: Record<string, string>;
  }
).Values;

const AUTH = 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING';
const CLIENT_ID = '0b6f1e2a-8c1d-4a53-9f0e-6b2c1d3e4f50';
const REFERENCE = '@Microsoft.KeyVault(SecretUri=https://kv-leads.vault.azure.net/secrets/contact-link-secret/)';

/** The sample with storage as Azure has it: service URLs and the app's user-assigned identity, no key. */
const keyless = {
  ...sample,
  AzureWebJobsStorage: '',
  AzureWebJobsStorage__queueServiceUri: 'https://stleads.queue.core.windows.net/',
  AzureWebJobsStorage__tableServiceUri: 'https://stleads.table.core.windows.net/',
  AzureWebJobsStorage__blobServiceUri: 'https://stleads.blob.core.windows.net/',
  AzureWebJobsStorage__credential: 'managedidentity',
  AzureWebJobsStorage__clientId: CLIENT_ID,
};

function problemsOf(env: Record<string, string | undefined>): SettingProblem[] {
  const config = loadConfig(env);
  return config.ok ? [] : config.problems;
}

function configOf(env: Record<string, string | undefined>): AppConfig {
  const config = loadConfig(env);
  if (!config.ok) throw new Error(config.problems.map((p) => p.message).join('; '));
  return config.value;
}

describe('configuration', () => {
  test('the sample settings are a valid configuration with the documented defaults', () => {
    const config = configOf(sample);
    expect(config).toMatchObject({
      queueName: 'leads-incoming',
      poisonQueueName: 'leads-incoming-poison',
      tables: {
        listing: 'LeadListing',
        changes: 'LeadChanges',
        events: 'LeadEvents',
        followUps: 'FollowUps',
        rejected: 'RejectedLeads',
      },
      followUpHours: 24,
      escalateAfterHours: 48,
      reminderSchedule: '0 */15 * * * *',
      contactLink: { ttlDays: 14 },
      mail: { transport: 'outbox' },
    });
    expect(config.reminderRoutes.get('fabrikamsoft.ledger-cloud')).toEqual(['ledger-sales@contoso.example']);
    expect(settingsReport(readSettings(sample))).toBeUndefined();
  });

  test('every missing required setting is named at once, with what is expected', () => {
    const problems = problemsOf({});
    for (const name of [
      'AzureWebJobsStorage',
      'REMINDER_RECIPIENTS',
      'CONTACT_LINK_SECRET',
      'PUBLIC_BASE_URL',
      'MAIL_TRANSPORT',
      'MAIL_FROM',
    ]) {
      expect(problems.some((p) => p.message.startsWith(name) && p.settings.includes(name))).toBe(true);
    }
    expect(problems.find((p) => p.message.startsWith('MAIL_TRANSPORT'))?.message).toMatch(
      /expected "smtp", "graph", "acs" or "outbox"/,
    );
  });

  test.each([
    ['FOLLOW_UP_HOURS', 'soon', ['FOLLOW_UP_HOURS'], /FOLLOW_UP_HOURS is "soon": expected a number/],
    [
      'ESCALATE_AFTER_HOURS',
      '12',
      ['ESCALATE_AFTER_HOURS', 'FOLLOW_UP_HOURS'],
      /ESCALATE_AFTER_HOURS \(12\) must be greater than FOLLOW_UP_HOURS \(24\)/,
    ],
    ['REMINDER_SCHEDULE', '*/15 * * * *', ['REMINDER_SCHEDULE'], /six NCRONTAB fields/],
    ['REMINDER_SCHEDULE', '0 */99 * * * *', ['REMINDER_SCHEDULE'], /REMINDER_SCHEDULE is "0 \*\/99 \* \* \* \*"/],
    [
      'REMINDER_ROUTES',
      '{"contoso.widgets": "not-an-address"}',
      ['REMINDER_ROUTES'],
      /REMINDER_ROUTES\["contoso.widgets"\] has "not-an-address"/,
    ],
    ['REMINDER_ROUTES', '[1]', ['REMINDER_ROUTES'], /REMINDER_ROUTES must be a JSON object/],
    ['REMINDER_ROUTES', '{oops', ['REMINDER_ROUTES'], /REMINDER_ROUTES is not JSON/],
    ['CONTACT_LINK_SECRET', 'short', ['CONTACT_LINK_SECRET'], /CONTACT_LINK_SECRET is too short/],
    ['CONTACT_LINK_PREVIOUS_SECRET', 'short', ['CONTACT_LINK_PREVIOUS_SECRET'], /PREVIOUS_SECRET is too short/],
    ['LEADS_QUEUE_NAME', 'Leads_Incoming', ['LEADS_QUEUE_NAME'], /LEADS_QUEUE_NAME is "Leads_Incoming"/],
    ['TABLE_NAME_PREFIX', '9x', ['TABLE_NAME_PREFIX'], /TABLE_NAME_PREFIX is "9x"/],
    ['PUBLIC_BASE_URL', 'ftp://example.com', ['PUBLIC_BASE_URL'], /PUBLIC_BASE_URL is "ftp:\/\/example.com"/],
    ['AzureWebJobsStorage', 'AccountName=x;AccountKey=c2VjcmV0', ['AzureWebJobsStorage'], /is not usable/],
    ['MAIL_FROM', 'Leads <leads at contoso>', ['MAIL_FROM'], /MAIL_FROM is "Leads <leads at contoso>": expected an/],
    ['APPLICATIONINSIGHTS_AUTHENTICATION_STRING', 'Authorization=Key', [AUTH], /expected "Authorization=AAD;/],
    ['APPLICATIONINSIGHTS_AUTHENTICATION_STRING', 'Authorization=AAD;ClientId=x', [AUTH], /is "Authorization=AAD;Cl/],
  ])('%s=%s is refused naming the setting', (name, value, settings, message) => {
    expect(problemsOf({ ...sample, [name]: value })).toEqual([{ settings, message: expect.stringMatching(message) }]);
  });

  test('a storage connection string that does not parse is named, never quoted (it holds the key)', () => {
    const [problem] = problemsOf({ ...sample, AzureWebJobsStorage: 'AccountName=x;AccountKey=c2VjcmV0' });
    expect(problem?.message).not.toContain('c2VjcmV0');
  });

  test('SMTP needs a host, and a user only together with a password', () => {
    const problems = problemsOf({ ...sample, MAIL_TRANSPORT: 'smtp', SMTP_HOST: '', SMTP_USER: 'leads' });
    expect(problems).toEqual([
      { settings: ['SMTP_HOST'], message: expect.stringMatching(/^SMTP_HOST is missing/) },
      {
        settings: ['SMTP_USER', 'SMTP_PASSWORD'],
        message: expect.stringMatching(/SMTP_USER and SMTP_PASSWORD must be set together/),
      },
    ]);
  });

  test('storage as an identity-based connection: service URLs and the identity, no key anywhere', () => {
    const config = configOf(keyless);
    expect(config.storageConnection).toEqual({
      kind: 'identity',
      queueServiceUrl: 'https://stleads.queue.core.windows.net',
      tableServiceUrl: 'https://stleads.table.core.windows.net',
      blobServiceUrl: 'https://stleads.blob.core.windows.net',
      credential: { kind: 'managedIdentity', clientId: CLIENT_ID, resourceId: undefined },
    });
    expect(configOf(sample).storageConnection).toEqual({
      kind: 'connectionString',
      connectionString: 'UseDevelopmentStorage=true',
    });
  });

  test('Microsoft Graph: the default endpoint, the sender mailbox from MAIL_FROM, and the storage identity', () => {
    const config = configOf({ ...keyless, MAIL_TRANSPORT: 'graph', MAIL_FROM: 'Leads <leads@contoso.com>' });
    expect(config.mail).toEqual({
      transport: 'graph',
      from: 'Leads <leads@contoso.com>',
      graph: {
        endpoint: 'https://graph.microsoft.com',
        sender: 'leads@contoso.com',
        identity: { kind: 'managedIdentity', clientId: CLIENT_ID, resourceId: undefined },
      },
      outboxDir: 'outbox',
    });
    const national = configOf({
      ...keyless,
      MAIL_TRANSPORT: 'graph',
      MAIL_GRAPH_ENDPOINT: 'https://graph.microsoft.us/',
    });
    expect(national.mail.graph?.endpoint).toBe('https://graph.microsoft.us');
    expect(
      problemsOf({ ...keyless, MAIL_TRANSPORT: 'graph', MAIL_GRAPH_ENDPOINT: 'http://graph.microsoft.com' }),
    ).toEqual([{ settings: ['MAIL_GRAPH_ENDPOINT'], message: expect.stringMatching(/expected an https URL/) }]);
  });

  test('Communication Services: ACS_ENDPOINT is required and https; the sender is the bare address', () => {
    const endpoint = 'https://acs-leads.unitedstates.communication.azure.com';
    const from = 'DoNotReply@4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f.azurecomm.net';
    const config = configOf({ ...keyless, MAIL_TRANSPORT: 'acs', MAIL_FROM: from, ACS_ENDPOINT: `${endpoint}/` });
    expect(config.mail.acs).toEqual({
      endpoint,
      sender: from,
      identity: { kind: 'managedIdentity', clientId: CLIENT_ID, resourceId: undefined },
    });
    expect(problemsOf({ ...keyless, MAIL_TRANSPORT: 'acs', ACS_ENDPOINT: '' })).toEqual([
      { settings: ['ACS_ENDPOINT'], message: expect.stringMatching(/^ACS_ENDPOINT is missing/) },
    ]);
    expect(problemsOf({ ...keyless, MAIL_TRANSPORT: 'acs', ACS_ENDPOINT: 'acs-leads' })).toEqual([
      { settings: ['ACS_ENDPOINT'], message: expect.stringMatching(/^ACS_ENDPOINT is "acs-leads": expected an https/) },
    ]);
  });

  test('with a storage connection string, the mail APIs take the developer’s sign-in', () => {
    const config = configOf({ ...sample, MAIL_TRANSPORT: 'graph' });
    expect(config.mail.graph?.identity).toEqual({ kind: 'default' });
  });

  test('custom events sign in as the identity APPLICATIONINSIGHTS_AUTHENTICATION_STRING names', () => {
    const cs = 'InstrumentationKey=00000000-0000-0000-0000-000000000000';
    const config = configOf({
      ...sample,
      APPLICATIONINSIGHTS_CONNECTION_STRING: cs,
      [AUTH]: `ClientId=${CLIENT_ID};Authorization=AAD`,
    });
    expect(config).toMatchObject({
      appInsightsConnectionString: cs,
      appInsightsCredential: { kind: 'managedIdentity', clientId: CLIENT_ID },
    });
    expect(configOf({ ...sample, [AUTH]: 'authorization=aad' }).appInsightsCredential).toEqual({
      kind: 'managedIdentity',
    });
    expect(configOf(sample).appInsightsCredential).toBeUndefined();
  });

  test.each([
    ['CONTACT_LINK_SECRET', sample],
    ['CONTACT_LINK_PREVIOUS_SECRET', sample],
    ['SMTP_PASSWORD', { ...sample, MAIL_TRANSPORT: 'smtp', SMTP_HOST: 'mx', SMTP_USER: 'leads' }],
    ['AzureWebJobsStorage', sample],
    ['AzureWebJobsStorage__clientId', keyless],
    ['APPLICATIONINSIGHTS_CONNECTION_STRING', sample],
  ])('%s left as an unresolved Key Vault reference is named once, and the reference is not quoted', (name, env) => {
    const problems = problemsOf({ ...env, [name]: REFERENCE });
    expect(problems).toEqual([
      {
        settings: [name],
        message: expect.stringMatching(new RegExp(`^${name} is a Key Vault reference the platform could not resolve`)),
      },
    ]);
    expect(problems[0]?.message).not.toContain('kv-leads');
  });

  test('in Azure the link base defaults to the app host name', () => {
    const config = configOf({ ...sample, PUBLIC_BASE_URL: '', WEBSITE_HOSTNAME: 'contoso-leads.azurewebsites.net' });
    expect(config.publicBaseUrl).toBe('https://contoso-leads.azurewebsites.net');
  });
});

describe('settings per capability', () => {
  // Every setting that is not about where leads are stored, missing or malformed: none may reach ingestion.
  const reminderSide: [string, string | undefined][] = [
    ['MAIL_FROM', undefined],
    ['MAIL_TRANSPORT', 'carrier-pigeon'],
    ['REMINDER_RECIPIENTS', undefined],
    ['REMINDER_ROUTES', '{oops'],
    ['REMINDER_SCHEDULE', 'every night'],
    ['ESCALATION_EMAIL', 'nobody'],
    ['FOLLOW_UP_HOURS', 'soon'],
    ['CONTACT_LINK_SECRET', undefined],
    ['CONTACT_LINK_TTL_DAYS', '0'],
    ['PUBLIC_BASE_URL', 'ftp://x'],
    ['SMTP_PORT', 'x'],
  ];

  test.each(reminderSide)('with %s=%s, receiving and recording need nothing more; reminders name it', (name, value) => {
    const env = {
      ...sample,
      MAIL_TRANSPORT: name.startsWith('SMTP') ? 'smtp' : 'outbox',
      SMTP_HOST: 'mx',
      [name]: value,
    };
    const s = readSettings(env);
    expect(receiveSettings(s).ok).toBe(true);
    expect(recordSettings(s).ok).toBe(true);
    const reminders = reminderSettings(s);
    expect(reminders.ok).toBe(false);
    expect(reminders.ok ? [] : reminders.problems.flatMap((p) => p.settings)).toContain(name);
    expect(misconfiguredCapabilities(s).find((c) => c.capability === 'reminders')?.settings).toContain(name);
    expect(misconfiguredCapabilities(s).map((c) => c.capability)).not.toContain('receive');
    expect(settingsReport(s)).toContain(name);
  });

  test('the contact page needs the link keys but not the rest of the reminder settings', () => {
    expect(contactLinkSettings(readSettings({ ...sample, MAIL_FROM: '', CONTACT_LINK_TTL_DAYS: '0' })).ok).toBe(true);
    const s = readSettings({ ...sample, CONTACT_LINK_SECRET: 'short' });
    expect(misconfiguredCapabilities(s)).toEqual([
      { capability: 'contactLinks', settings: ['CONTACT_LINK_SECRET'] },
      { capability: 'reminders', settings: ['CONTACT_LINK_SECRET'] },
      // Alerts carry the same signed link.
      { capability: 'alerts', settings: ['CONTACT_LINK_SECRET'] },
    ]);
  });

  test('without a valid link key ingestion keeps no address hash, and still takes the lead', () => {
    for (const secret of [undefined, 'short']) {
      const key = clientIpKey(readSettings({ ...sample, CONTACT_LINK_SECRET: secret }));
      expect(key).toBeUndefined();
      expect(requestMetadata({ clientIp: '203.0.113.9', queryKeys: [] }, key).clientIpHash).toBeUndefined();
    }
    const key = clientIpKey(readSettings(sample));
    expect(requestMetadata({ clientIp: '203.0.113.9', queryKeys: [] }, key).clientIpHash).toMatch(/^[0-9a-f]{32}$/);
  });

  test('a malformed follow-up policy gives records the default one, and names the setting', () => {
    expect(policyOrDefault(readSettings({ ...sample, FOLLOW_UP_HOURS: '12' })).policy.followUpHours).toBe(12);
    const fallback = policyOrDefault(readSettings({ ...sample, FOLLOW_UP_HOURS: 'soon' }));
    expect(fallback.policy).toEqual({ ...DEFAULT_POLICY, cadenceDays: DEFAULT_CADENCE_DAYS });
    expect(fallback.problems.flatMap((p) => p.settings)).toEqual(['FOLLOW_UP_HOURS']);
  });

  test('a malformed cadence gives records the default one, names the setting and stops reminder runs only', () => {
    expect(policyOrDefault(readSettings({ ...sample, NURTURE_CADENCE_DAYS: '1,3' })).policy.cadenceDays).toEqual([
      1, 3,
    ]);
    const settings = readSettings({ ...sample, NURTURE_CADENCE_DAYS: 'weekly' });
    const fallback = policyOrDefault(settings);
    expect(fallback.policy.cadenceDays).toEqual(DEFAULT_CADENCE_DAYS);
    expect(fallback.problems.flatMap((p) => p.settings)).toEqual(['NURTURE_CADENCE_DAYS']);
    expect(misconfiguredCapabilities(settings)).toEqual([
      { capability: 'reminders', settings: ['NURTURE_CADENCE_DAYS'] },
      { capability: 'nurture', settings: ['NURTURE_CADENCE_DAYS'] },
    ]);
    expect(recordSettings(settings).ok).toBe(true);
  });

  test('bad criteria or reasons stop decisions only; a bad trial length stops reminders, named', () => {
    const criteria = readSettings({ ...sample, QUALIFICATION_CRITERIA: '[{"key": "1x", "label": "Bad"}]' });
    expect(misconfiguredCapabilities(criteria)).toEqual([
      { capability: 'decisions', settings: ['QUALIFICATION_CRITERIA'] },
    ]);
    const trials = readSettings({ ...sample, OFFER_TRIAL_DAYS: '{"contoso.widgets": 0}' });
    expect(misconfiguredCapabilities(trials)).toEqual([
      { capability: 'reminders', settings: ['OFFER_TRIAL_DAYS'] },
      { capability: 'nurture', settings: ['OFFER_TRIAL_DAYS'] },
    ]);
  });

  test('bindings get a value at registration: the schedule falls back to the default, the queue name is as set', () => {
    expect(reminderBindingSchedule({ REMINDER_SCHEDULE: '0 0 * * * *' })).toBe('0 0 * * * *');
    expect(reminderBindingSchedule({ REMINDER_SCHEDULE: 'every night' })).toBe(DEFAULT_REMINDER_SCHEDULE);
    expect(reminderBindingSchedule({})).toBe(DEFAULT_REMINDER_SCHEDULE);
    expect(queueBindingName({})).toBe('leads-incoming');
    expect(queueBindingName({ LEADS_QUEUE_NAME: ' Leads_Incoming ' })).toBe('Leads_Incoming');
  });

  test('a malformed authentication string stops custom events only: nothing is sent, leads are recorded', () => {
    const s = readSettings({
      ...sample,
      APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000',
      [AUTH]: 'AAD',
    });
    expect(recordSettings(s).ok).toBe(true);
    expect(telemetrySettings(s)).toEqual({});
    expect(misconfiguredCapabilities(s)).toEqual([{ capability: 'telemetry', settings: [AUTH] }]);
    expect(settingsReport(s)).toContain(`${AUTH} is "AAD"`);
  });

  test.each([
    'InstrumentationKey=x',
    'IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/',
    'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=westeurope',
    '00000000-0000-0000-0000-000000000000',
    'InstrumentationKey=00000000-0000-0000-0000-000000000000;oops',
  ])('a malformed connection string (%s) is named as the setting, unquoted, and stops custom events only', (cs) => {
    const s = readSettings({ ...sample, APPLICATIONINSIGHTS_CONNECTION_STRING: cs });
    expect(recordSettings(s).ok).toBe(true);
    expect(telemetrySettings(s)).toEqual({});
    expect(misconfiguredCapabilities(s)).toEqual([
      { capability: 'telemetry', settings: ['APPLICATIONINSIGHTS_CONNECTION_STRING'] },
    ]);
    expect(settingsReport(s)).toContain('APPLICATIONINSIGHTS_CONNECTION_STRING is malformed');
    expect(settingsReport(s)).not.toContain(cs);
  });

  test('a connection string as the portal shows it is taken, keys in any case, the endpoint optional', () => {
    for (const cs of [
      'InstrumentationKey=0b6f1e2a-8c1d-4a53-9f0e-6b2c1d3e4f50;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/;LiveEndpoint=https://westeurope.livediagnostics.monitor.azure.com/;ApplicationId=6b2c1d3e-8c1d-4a53-9f0e-0b6f1e2a4f50',
      'instrumentationkey=0B6F1E2A-8C1D-4A53-9F0E-6B2C1D3E4F50;',
    ])
      expect(telemetrySettings(readSettings({ ...sample, APPLICATIONINSIGHTS_CONNECTION_STRING: cs }))).toEqual({
        appInsightsConnectionString: cs,
      });
  });

  test('reading never throws, whatever the values', () => {
    const junk = ['', ' ', '{', '[]', 'null', '-1', '1e999', 'NaN', '%X%', '\u0000', 'x'.repeat(10_000), '{"a":[1]}'];
    for (const name of Object.keys(sample)) {
      for (const value of junk) {
        expect(() => settingsReport(readSettings({ ...sample, [name]: value }))).not.toThrow();
      }
    }
  });

  test('the start-up report lists every problem in one block and never quotes a secret', () => {
    const secret = 'too-short-secret';
    const report = settingsReport(
      readSettings({ ...sample, MAIL_FROM: '', REMINDER_ROUTES: '{oops', CONTACT_LINK_SECRET: secret }),
    );
    expect(report).toMatch(/^App settings: 3 problem\(s\)/);
    expect(report).toContain('  - MAIL_FROM is missing');
    expect(report).toContain('  - REMINDER_ROUTES is not JSON');
    expect(report).toContain('  - CONTACT_LINK_SECRET is too short');
    expect(report).toContain('misconfigured: reminders (CONTACT_LINK_SECRET, REMINDER_ROUTES, MAIL_FROM)');
    expect(report).not.toContain(secret);
  });
});

describe('alert, hand-off and silence settings', () => {
  const SECRET = formatWebhookSecret(Buffer.alloc(32, 7));
  const TEAMS =
    'https://prod-01.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=s3cr3tSig0123456789';
  const names = (c: { ok: boolean; problems?: SettingProblem[] }): string[] =>
    c.ok ? [] : (c.problems ?? []).flatMap((p) => p.settings);

  test('the sample gives the documented defaults: alerts on, burst 5, no Teams, no hand-off, 14 days', () => {
    const alerts = alertSettings(readSettings(sample));
    expect(alerts.ok && alerts.value.alerts).toEqual({
      onNewLead: true,
      burst: 5,
      teams: undefined,
      queueName: 'lead-alerts',
      poisonQueueName: 'lead-alerts-poison',
    });
    const handOff = handOffSettings(readSettings(sample));
    expect(handOff.ok && handOff.value.handOff).toEqual({
      queueName: 'lead-handoffs',
      poisonQueueName: 'lead-handoffs-poison',
    });
    const silence = silenceSettings(readSettings(sample));
    expect(silence.ok && silence.value.silence).toEqual({ days: 14, opsEmail: undefined });
    expect(alertQueueBindingName({})).toBe('lead-alerts');
    expect(handOffQueueBindingName({ HANDOFF_QUEUE_NAME: ' crm-out ' })).toBe('crm-out');
  });

  test('each malformed setting is named, in its own capability only', () => {
    const s = readSettings({
      ...sample,
      ALERT_ON_NEW_LEAD: 'yes',
      ALERT_BURST: '2.5',
      TEAMS_WEBHOOK_URL: TEAMS,
      TEAMS_PAYLOAD: 'adaptive',
      SILENCE_ALERT_DAYS: '-1',
      OPS_EMAIL: 'ops',
    });
    expect(names(alertSettings(s))).toEqual(['ALERT_ON_NEW_LEAD', 'ALERT_BURST']);
    expect(names(s.teamsChannel)).toEqual(['TEAMS_PAYLOAD']);
    expect(names(silenceSettings(s))).toEqual(['SILENCE_ALERT_DAYS', 'OPS_EMAIL']);
    expect(handOffSettings(s).ok).toBe(true);
    expect(misconfiguredCapabilities(s).map((c) => c.capability)).toEqual(['alerts', 'teamsAlerts', 'silence']);
  });

  test('the Teams channel is its own group: while it is wrong the alerts still run (the emails go out)', () => {
    const s = readSettings({ ...sample, TEAMS_WEBHOOK_URL: '@Microsoft.KeyVault(VaultName=kv;SecretName=teams)' });
    expect(alertSettings(s).ok).toBe(true);
    expect(names(s.teamsChannel)).toEqual(['TEAMS_WEBHOOK_URL']);
    expect(misconfiguredCapabilities(s)).toEqual([{ capability: 'teamsAlerts', settings: ['TEAMS_WEBHOOK_URL'] }]);
    // No URL, no channel: a stray TEAMS_PAYLOAD holds nothing.
    const unset = readSettings({ ...sample, TEAMS_PAYLOAD: 'adaptive' });
    expect(unset.teamsChannel).toEqual({ ok: true, value: { teams: undefined } });
  });

  test("a bad lead queue name stops what uses the lead queue, not the hand-off or the other queues' poison copies", () => {
    const s = readSettings({ ...sample, LEADS_QUEUE_NAME: 'Leads_Incoming' });
    expect(misconfiguredCapabilities(s)).toEqual([
      { capability: 'receive', settings: ['LEADS_QUEUE_NAME'] },
      { capability: 'erasure', settings: ['LEADS_QUEUE_NAME'] },
      { capability: 'keepPoisoned', settings: ['LEADS_QUEUE_NAME'] },
    ]);
    expect(handOffSettings(s).ok).toBe(true);
    expect(keepPoisonedCopySettings(s).ok).toBe(true);
    // How the queues retry is every queue trigger's concern, the lead queue's included.
    const tries = readSettings({ ...sample, AzureFunctionsJobHost__extensions__queues__maxDequeueCount: '0' });
    const triesName = ['AzureFunctionsJobHost__extensions__queues__maxDequeueCount'];
    expect(names(keepPoisonedSettings(tries))).toEqual(triesName);
    expect(names(keepPoisonedCopySettings(tries))).toEqual(triesName);
    expect(names(handOffSettings(tries))).toEqual(triesName);
  });

  test('a bad table prefix stops keeping poisoned messages in the table, not putting them back on their last try', () => {
    const s = readSettings({ ...sample, TABLE_NAME_PREFIX: '1-bad' });
    expect(names(keepPoisonedSettings(s))).toEqual(['TABLE_NAME_PREFIX']);
    expect(names(keepPoisonedCopySettings(s))).toEqual(['TABLE_NAME_PREFIX']);
    expect(keepPoisonedLastTrySettings(s).ok).toBe(true);
    expect(keepPoisonedCopyLastTrySettings(s).ok).toBe(true);
    const kept = keepPoisonedSettings(s);
    expect(misconfiguredTable(kept.ok ? [] : kept.problems)).toEqual({
      unusable: 'the table settings are wrong: TABLE_NAME_PREFIX',
    });
  });

  test('the Teams URL is read but never quoted: a plain-HTTP one is refused by name', () => {
    const ok = readSettings({ ...sample, TEAMS_WEBHOOK_URL: TEAMS, TEAMS_PAYLOAD: 'card' }).teamsChannel;
    expect(ok.ok && ok.value.teams).toEqual({ webhookUrl: TEAMS, payload: 'card' });
    const plain = TEAMS.replace('https:', 'http:');
    const s = readSettings({ ...sample, TEAMS_WEBHOOK_URL: plain });
    expect(names(s.teamsChannel)).toEqual(['TEAMS_WEBHOOK_URL']);
    expect(settingsReport(s)).not.toContain('s3cr3tSig');
  });

  test('WEBHOOK_SECRET is required with WEBHOOK_URL, must be whsec_ base64, and is never quoted', () => {
    const url = 'https://crm.contoso.example/hooks/leads';
    const ok = handOffSettings(readSettings({ ...sample, WEBHOOK_URL: url, WEBHOOK_SECRET: SECRET }));
    expect(ok.ok && ok.value.handOff.webhook?.url).toBe(url);
    expect(ok.ok && ok.value.handOff.webhook?.keys).toEqual([Buffer.alloc(32, 7)]);
    expect(names(handOffSettings(readSettings({ ...sample, WEBHOOK_URL: url })))).toEqual(['WEBHOOK_SECRET']);
    const bad = readSettings({ ...sample, WEBHOOK_URL: url, WEBHOOK_SECRET: 'whsec_not base64 at all!' });
    expect(names(handOffSettings(bad))).toEqual(['WEBHOOK_SECRET']);
    expect(settingsReport(bad)).not.toContain('not base64 at all');
    expect(names(handOffSettings(readSettings({ ...sample, WEBHOOK_SECRET: SECRET })))).toEqual(['WEBHOOK_URL']);
    expect(
      names(handOffSettings(readSettings({ ...sample, WEBHOOK_URL: 'http://crm.example', WEBHOOK_SECRET: SECRET }))),
    ).toEqual(['WEBHOOK_URL']);
    const unresolved = readSettings({ ...sample, WEBHOOK_URL: url, WEBHOOK_SECRET: REFERENCE });
    expect(handOffSettings(unresolved).ok).toBe(false);
    expect(settingsReport(unresolved)).toContain('WEBHOOK_SECRET is a Key Vault reference');
  });
});
