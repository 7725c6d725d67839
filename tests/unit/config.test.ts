import fs from 'node:fs';
import path from 'node:path';

import {
  type AppConfig,
  clientIpKey,
  contactLinkSettings,
  DEFAULT_POLICY,
  DEFAULT_REMINDER_SCHEDULE,
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
} from '../../shared/config';
import { requestMetadata } from '../../shared/queue/envelope';

const sample = (
  JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'local.settings.sample.json'), 'utf8')) as {
    Values: Record<string, string>;
  }
).Values;

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
      tables: { leads: 'Leads', events: 'LeadEvents', followUps: 'FollowUps', rejected: 'RejectedLeads' },
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
      /expected "smtp" or "outbox"/,
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
    expect(fallback.policy).toEqual(DEFAULT_POLICY);
    expect(fallback.problems.flatMap((p) => p.settings)).toEqual(['FOLLOW_UP_HOURS']);
  });

  test('bindings get a value at registration: the schedule falls back to the default, the queue name is as set', () => {
    expect(reminderBindingSchedule({ REMINDER_SCHEDULE: '0 0 * * * *' })).toBe('0 0 * * * *');
    expect(reminderBindingSchedule({ REMINDER_SCHEDULE: 'every night' })).toBe(DEFAULT_REMINDER_SCHEDULE);
    expect(reminderBindingSchedule({})).toBe(DEFAULT_REMINDER_SCHEDULE);
    expect(queueBindingName({})).toBe('leads-incoming');
    expect(queueBindingName({ LEADS_QUEUE_NAME: ' Leads_Incoming ' })).toBe('Leads_Incoming');
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
