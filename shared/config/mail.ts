/**
 * How reminder emails leave: an SMTP server, Microsoft Graph or Azure Communication Services (both signed in as the
 * app's identity, no password), or .eml files in an outbox folder for local runs.
 */
import type { CredentialChoice } from '../credentialChoice';
import { parseMailbox } from '../mail/mailbox';
import { readStorageConnection } from '../storage/connection';
import type { Checked } from './checked';
import { type Env, type Reader, readGroup } from './reader';

export type MailTransportKind = 'smtp' | 'outbox' | 'graph' | 'acs';

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
}

/** What the two mail APIs need: where, as whom, and the identity whose token they accept. */
export interface MailApiSettings {
  endpoint: string;
  /** MAIL_FROM's address: the mailbox Graph sends as, the sender address ACS sends from. */
  sender: string;
  identity: CredentialChoice;
}

export interface MailSettings {
  mail: {
    transport: MailTransportKind;
    /** MAIL_FROM as written: the From header of SMTP and outbox mail. */
    from: string;
    smtp?: SmtpSettings;
    graph?: MailApiSettings;
    acs?: MailApiSettings;
    outboxDir: string;
  };
}

const TRANSPORTS: readonly MailTransportKind[] = ['smtp', 'graph', 'acs', 'outbox'];
export const DEFAULT_GRAPH_ENDPOINT = 'https://graph.microsoft.com';

function readSmtp(r: Reader): SmtpSettings {
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
  // Given, not read: a password left as an unresolved Key Vault reference is named as that, not as missing.
  if (r.given('SMTP_USER') !== r.given('SMTP_PASSWORD')) {
    r.problem(
      ['SMTP_USER', 'SMTP_PASSWORD'],
      'SMTP_USER and SMTP_PASSWORD must be set together (or both left empty for an open relay)',
    );
  }
  return smtp;
}

/** An https URL without query or fragment, trailing slashes removed; tokens are only ever sent over TLS. */
function httpsEndpoint(r: Reader, name: string, text: string, example: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || url.protocol !== 'https:' || url.search !== '' || url.hash !== '') {
    r.problem(name, `${name} is "${text}": expected an https URL such as ${example}`);
    return text;
  }
  return url.toString().replace(/\/+$/, '');
}

/**
 * Graph and Communication Services accept the app's one identity: the one the storage connection signs in with
 * (AzureWebJobsStorage__credential / __clientId), or the developer's sign-in when storage uses a connection string.
 * Storage settings that are wrong are the storage group's problem, named there.
 */
function mailIdentity(env: Env): CredentialChoice {
  const storage = readStorageConnection(env);
  return storage.ok && storage.connection.kind === 'identity' ? storage.connection.credential : { kind: 'default' };
}

export function readMail(env: Env): Checked<MailSettings> {
  return readGroup(env, (r): MailSettings => {
    const transportText = r.raw('MAIL_TRANSPORT');
    const outboxDir = r.raw('OUTBOX_DIR') ?? 'outbox';
    const from = r.required('MAIL_FROM', 'the sender address of reminder emails, e.g. "Leads <leads@contoso.com>"');
    const mailbox = from === '' ? undefined : parseMailbox(from);
    if (from !== '' && mailbox === undefined)
      r.problem(
        'MAIL_FROM',
        `MAIL_FROM is "${from}": expected an address, or a name and an address: "Leads <leads@contoso.com>"`,
      );
    const transport = TRANSPORTS.find((t) => t === transportText);
    if (transport === undefined) {
      r.problem(
        'MAIL_TRANSPORT',
        `MAIL_TRANSPORT is ${transportText === undefined ? 'missing' : `"${transportText}"`}: expected "smtp", "graph", "acs" or "outbox"`,
      );
      return { mail: { transport: 'outbox', from, outboxDir } };
    }
    const sender = mailbox?.address ?? '';
    switch (transport) {
      case 'outbox':
        return { mail: { transport, from, outboxDir } };
      case 'smtp':
        return { mail: { transport, from, smtp: readSmtp(r), outboxDir } };
      case 'graph': {
        const text = r.raw('MAIL_GRAPH_ENDPOINT') ?? DEFAULT_GRAPH_ENDPOINT;
        const endpoint = httpsEndpoint(r, 'MAIL_GRAPH_ENDPOINT', text, DEFAULT_GRAPH_ENDPOINT);
        return { mail: { transport, from, graph: { endpoint, sender, identity: mailIdentity(env) }, outboxDir } };
      }
      case 'acs': {
        const example = 'https://<resource>.<geography>.communication.azure.com';
        const text = r.required(
          'ACS_ENDPOINT',
          `the Communication Services endpoint when MAIL_TRANSPORT=acs, ${example}`,
        );
        const endpoint = text === '' ? '' : httpsEndpoint(r, 'ACS_ENDPOINT', text, example);
        return { mail: { transport, from, acs: { endpoint, sender, identity: mailIdentity(env) }, outboxDir } };
      }
    }
  });
}
