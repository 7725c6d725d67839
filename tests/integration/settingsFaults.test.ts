/**
 * A bad reminder, mail or link setting never costs a lead: with each setting that is not about where leads are
 * stored missing or malformed in turn, a lead is accepted (202), processed and listed, while the reminder run fails
 * naming the setting and `GET /api/health` names it.
 */
import type { RunningAzurite } from '../../local-host/src/azurite';
import { eventually, type HostProcess, startHost, startTestAzurite } from '../support/hostProcess';
import { leadBody } from '../support/leadApi';

interface HealthBody {
  ok: boolean;
  misconfigured: { capability: string; settings: string[] }[];
}

const SMTP = { MAIL_TRANSPORT: 'smtp', SMTP_HOST: 'mail.invalid' };

// [setting, value ('' is missing), other settings the case needs, whether the contact page needs it too]
const cases: [string, string, Record<string, string>, boolean][] = [
  ['REMINDER_SCHEDULE', '*/15 * * * *', {}, false],
  ['REMINDER_ROUTES', '{"contoso.widgets": "not-an-address"}', {}, false],
  ['REMINDER_RECIPIENTS', '', {}, false],
  ['ESCALATION_EMAIL', 'sales-lead', {}, false],
  ['FOLLOW_UP_HOURS', 'soon', {}, false],
  ['ESCALATE_AFTER_HOURS', '12', {}, false],
  ['CONTACT_LINK_SECRET', '', {}, true],
  ['CONTACT_LINK_PREVIOUS_SECRET', 'too-short', {}, true],
  ['CONTACT_LINK_TTL_DAYS', '0', {}, false],
  ['PUBLIC_BASE_URL', '', {}, false],
  ['MAIL_TRANSPORT', '', {}, false],
  ['MAIL_FROM', '', {}, false],
  ['SMTP_HOST', '', SMTP, false],
  ['SMTP_PORT', 'twenty-five', SMTP, false],
  ['SMTP_SECURE', 'maybe', SMTP, false],
  ['SMTP_USER', 'leads', SMTP, false],
];

describe('a bad non-storage setting', () => {
  let azurite: RunningAzurite;
  beforeAll(async () => {
    azurite = await startTestAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  test.each(cases)(
    '%s="%s": leads are taken, processed and listed; reminders and health name it',
    async (name, value, extra, contactPageNeedsIt) => {
      const prefix = `Fault${name.replace(/_/g, '')}`;
      const host: HostProcess = await startHost({
        AzureWebJobsStorage: azurite.connectionString,
        TABLE_NAME_PREFIX: prefix,
        LEADS_QUEUE_NAME: `q-${prefix.toLowerCase()}`,
        ...extra,
        [name]: value,
      });
      try {
        expect(host.output()).toMatch(/App settings: \d+ problem\(s\)/);
        expect(host.output()).toContain(`  - ${name}`);

        const accepted = await fetch(`${host.baseUrl}/api/leads`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: leadBody({ email: `${prefix.toLowerCase()}@contoso.example`, lastName: 'Fault' }, 'contoso.widgets'),
        });
        expect(accepted.status).toBe(202);
        const { id } = (await accepted.json()) as { id: string };
        await eventually(`lead ${id} processed and listed`, async () => {
          const list = (await (await fetch(`${host.baseUrl}/api/leads`)).json()) as { items: { leadId: string }[] };
          return list.items.some((l) => l.leadId === id) ? true : undefined;
        });

        const run = await fetch(`${host.baseUrl}/admin/functions/sendReminders?wait=true`, {
          method: 'POST',
          body: '{}',
        });
        expect(run.status).toBe(500);
        expect(await run.text()).toMatch(new RegExp(`Misconfigured app settings: .*${name}`));

        const health = await fetch(`${host.baseUrl}/api/health`);
        expect(health.status).toBe(503);
        const report = (await health.json()) as HealthBody;
        expect(report.misconfigured.find((c) => c.capability === 'reminders')?.settings).toContain(name);
        expect(report.misconfigured.map((c) => c.capability)).not.toContain('receive');

        const contact = await fetch(`${host.baseUrl}/api/leads/${id}/contact`);
        if (contactPageNeedsIt) {
          expect(contact.status).toBe(500);
          expect(await contact.json()).toMatchObject({ error: 'misconfigured', settings: [name] });
        } else {
          // Configured: the page refuses the link itself, which has no token.
          expect(contact.status).toBe(403);
        }
      } finally {
        await host.stop();
      }
    },
  );
});
