/** How reminder emails leave: an SMTP server, or .eml files in an outbox folder for local runs. */
import type { Checked } from './checked';
import { type Env, readGroup } from './reader';

export type MailTransportKind = 'smtp' | 'outbox';

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
}

export interface MailSettings {
  mail: { transport: MailTransportKind; from: string; smtp?: SmtpSettings; outboxDir: string };
}

export function readMail(env: Env): Checked<MailSettings> {
  return readGroup(env, (r): MailSettings => {
    const transport = r.raw('MAIL_TRANSPORT');
    const outboxDir = r.raw('OUTBOX_DIR') ?? 'outbox';
    const from = r.required('MAIL_FROM', 'the sender address of reminder emails, e.g. "Leads <leads@contoso.com>"');
    if (transport === 'outbox') return { mail: { transport, from, outboxDir } };
    if (transport !== 'smtp') {
      r.problem(
        'MAIL_TRANSPORT',
        `MAIL_TRANSPORT is ${transport === undefined ? 'missing' : `"${transport}"`}: expected "smtp" or "outbox"`,
      );
      return { mail: { transport: 'outbox', from, outboxDir } };
    }
    const secureText = r.raw('SMTP_SECURE') ?? 'false';
    if (secureText !== 'true' && secureText !== 'false')
      r.problem('SMTP_SECURE', `SMTP_SECURE is "${secureText}": expected true or false`);
    const smtp: SmtpSettings = {
      host: r.required('SMTP_HOST', 'the SMTP server host name when MAIL_TRANSPORT=smtp'),
      port: r.number('SMTP_PORT', 587, 1, 65535),
      secure: secureText === 'true',
      user: r.raw('SMTP_USER'),
      password: r.raw('SMTP_PASSWORD'),
    };
    if ((smtp.user === undefined) !== (smtp.password === undefined)) {
      r.problem(
        ['SMTP_USER', 'SMTP_PASSWORD'],
        'SMTP_USER and SMTP_PASSWORD must be set together (or both left empty for an open relay)',
      );
    }
    return { mail: { transport, from, smtp, outboxDir } };
  });
}
