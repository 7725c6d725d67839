/**
 * Alert emails through the app's mailer to the loopback SMTP server the other mail tests use: what a mail client
 * receives, headers and all, when every customer-supplied value is hostile.
 */
import { renderAlertDigestEmail, renderAlertEmail } from '../../shared/followUp/alerts/alertEmail';
import type { Mailer } from '../../shared/mail/mailer';
import { SmtpSink } from '../support/smtpSink';
import { alertMessage, HOSTILE } from '../unit/followUp/alerts/alertFixtures';

const OWNER = 'sam@contoso.example';
let smtp: SmtpSink;
let mailer: Mailer;

beforeAll(async () => {
  smtp = await SmtpSink.start();
  mailer = smtp.mailer();
});

afterAll(async () => {
  mailer.close();
  await smtp.stop();
});

beforeEach(() => smtp.reset());

test('an alert with hostile customer data arrives with our subject, one recipient, and the data as text', async () => {
  const rendered = renderAlertEmail(alertMessage({ ...HOSTILE, accountLine: '3rd person from evil.example' }));
  await mailer.send({ to: [OWNER], ...rendered });
  expect(smtp.received).toHaveLength(1);
  const [mail] = smtp.received;
  expect(mail?.rcptTo).toEqual([OWNER]);
  expect(mail?.subject).toBe('New marketplace lead (Trial): contact them now');
  expect(mail?.headers.has('bcc')).toBe(false);
  expect(mail?.text).toContain('Title: CTO Bcc: all@example.com');
  expect(mail?.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(mail?.html).not.toContain('<script>');
  expect(mail?.text).toContain('Mark as contacted: https://leads.example.com/api/leads/');
});

test('a burst digest arrives as one mail listing every lead', async () => {
  const alerts = Array.from({ length: 7 }, (_, i) => alertMessage({ alertId: `A${i}`, leadId: `LEAD${i}` }));
  await mailer.send({ to: [OWNER], ...renderAlertDigestEmail(alerts, 5) });
  expect(smtp.received).toHaveLength(1);
  const html = smtp.received[0]?.html ?? '';
  for (let i = 0; i < 7; i++) expect(html).toContain(`/api/leads/LEAD${i}/contact`);
});
