import fs from 'node:fs';
import path from 'node:path';

import { ConfigError, loadConfig } from '../../shared/config';

const sample = (
  JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'local.settings.sample.json'), 'utf8')) as {
    Values: Record<string, string>;
  }
).Values;

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

describe('configuration', () => {
  test('the sample settings are a valid configuration with the documented defaults', () => {
    const config = loadConfig(sample);
    expect(config).toMatchObject({
      queueName: 'leads-incoming',
      poisonQueueName: 'leads-incoming-poison',
      tables: { leads: 'Leads', events: 'LeadEvents', followUps: 'FollowUps', rejected: 'RejectedLeads' },
      followUpHours: 24,
      escalateAfterHours: 48,
      reminderSchedule: '0 */15 * * * *',
      mail: { transport: 'outbox' },
    });
    expect(config.reminderRoutes.get('fabrikamsoft.ledger-cloud')).toEqual(['ledger-sales@contoso.example']);
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
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
    expect(problems.find((p) => p.startsWith('MAIL_TRANSPORT'))).toMatch(/expected "smtp" or "outbox"/);
  });

  test.each([
    ['FOLLOW_UP_HOURS', 'soon', /FOLLOW_UP_HOURS is "soon": expected a number/],
    ['ESCALATE_AFTER_HOURS', '12', /ESCALATE_AFTER_HOURS \(12\) must be greater than FOLLOW_UP_HOURS \(24\)/],
    ['REMINDER_SCHEDULE', '*/15 * * * *', /six NCRONTAB fields/],
    ['REMINDER_SCHEDULE', '0 */99 * * * *', /REMINDER_SCHEDULE is "0 \*\/99 \* \* \* \*"/],
    [
      'REMINDER_ROUTES',
      '{"contoso.widgets": "not-an-address"}',
      /REMINDER_ROUTES\["contoso.widgets"\] has "not-an-address"/,
    ],
    ['REMINDER_ROUTES', '[1]', /REMINDER_ROUTES must be a JSON object/],
    ['REMINDER_ROUTES', '{oops', /REMINDER_ROUTES is not JSON/],
    ['CONTACT_LINK_SECRET', 'short', /CONTACT_LINK_SECRET is too short/],
    ['LEADS_QUEUE_NAME', 'Leads_Incoming', /LEADS_QUEUE_NAME is "Leads_Incoming"/],
    ['TABLE_NAME_PREFIX', '9x', /TABLE_NAME_PREFIX is "9x"/],
    ['PUBLIC_BASE_URL', 'ftp://example.com', /PUBLIC_BASE_URL is "ftp:\/\/example.com": expected an http\(s\) URL/],
  ])('%s=%s is refused naming the setting', (name, value, message) => {
    expect(problemsOf({ ...sample, [name]: value })).toEqual([expect.stringMatching(message)]);
  });

  test('SMTP needs a host, and a user only together with a password', () => {
    const problems = problemsOf({ ...sample, MAIL_TRANSPORT: 'smtp', SMTP_HOST: '', SMTP_USER: 'leads' });
    expect(problems).toEqual([
      expect.stringMatching(/^SMTP_HOST is missing/),
      expect.stringMatching(/SMTP_USER and SMTP_PASSWORD must be set together/),
    ]);
  });

  test('in Azure the link base defaults to the app host name', () => {
    const config = loadConfig({ ...sample, PUBLIC_BASE_URL: '', WEBSITE_HOSTNAME: 'contoso-leads.azurewebsites.net' });
    expect(config.publicBaseUrl).toBe('https://contoso-leads.azurewebsites.net');
  });
});
