/**
 * A real SMTP server on loopback (the `smtp-server` package) that keeps what it receives, for tests that drive
 * the app's mailer over the wire. It can refuse recipients (451 at RCPT TO), answer slowly, stop and start again
 * on the same port (the app's SMTP_PORT is fixed when the host starts).
 */
import type { AddressInfo } from 'node:net';

import { SMTPServer, type SMTPServerSession } from 'smtp-server';

import { createMailer } from '../../shared/mail/createMailer';
import type { Mailer } from '../../shared/mail/mailer';

export interface ReceivedMail {
  mailFrom: string;
  rcptTo: string[];
  headers: Map<string, string>;
  subject: string;
  text: string;
  html: string;
  raw: string;
}

function splitHeaders(raw: string): { headers: Map<string, string>; body: string } {
  const text = raw.replace(/\r\n/g, '\n');
  const end = text.indexOf('\n\n');
  const headers = new Map<string, string>();
  for (const line of text
    .slice(0, end < 0 ? text.length : end)
    .replace(/\n[ \t]+/g, ' ')
    .split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: end < 0 ? '' : text.slice(end + 2) };
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable': {
      const joined = body.replace(/=\n/g, '');
      const bytes: number[] = [];
      for (let i = 0; i < joined.length; i++) {
        const hex = joined.slice(i + 1, i + 3);
        if (joined[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
          bytes.push(parseInt(hex, 16));
          i += 2;
        } else {
          bytes.push(...Buffer.from(joined[i] ?? '', 'utf8'));
        }
      }
      return Buffer.from(bytes).toString('utf8');
    }
    default:
      return body;
  }
}

/** Just enough MIME for the app's mails: headers, one multipart level, QP/base64/7bit parts. */
export function parseMail(raw: string, envelope: { mailFrom: string; rcptTo: string[] }): ReceivedMail {
  const { headers, body } = splitHeaders(raw);
  const parts = new Map<string, string>();
  const boundary = /boundary="?([^";]+)"?/i.exec(headers.get('content-type') ?? '')?.[1];
  if (boundary === undefined) {
    parts.set(
      (headers.get('content-type') ?? 'text/plain').split(';')[0]!.trim(),
      decodeBody(body, headers.get('content-transfer-encoding')),
    );
  } else {
    for (const chunk of body.split(`--${boundary}`).slice(1)) {
      if (chunk.startsWith('--')) break;
      const part = splitHeaders(chunk.replace(/^\n/, ''));
      const type = (part.headers.get('content-type') ?? 'text/plain').split(';')[0]!.trim().toLowerCase();
      parts.set(type, decodeBody(part.body.replace(/\n$/, ''), part.headers.get('content-transfer-encoding')));
    }
  }
  return {
    ...envelope,
    headers,
    subject: headers.get('subject') ?? '',
    text: parts.get('text/plain') ?? '',
    html: parts.get('text/html') ?? '',
    raw,
  };
}

export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  /** When each of `received` was taken (epoch ms), same order: what `npm run bench -- alerts` times. */
  readonly receivedAt: number[] = [];
  /** Lower-cased addresses refused with a 451 at RCPT TO; `refuseAll` refuses everyone. */
  readonly refuse = new Set<string>();
  refuseAll = false;
  /** Holds each message this long before accepting it: a slow server, so runs can overlap. */
  delayMs = 0;
  private server: SMTPServer | undefined;

  private constructor(public port: number) {}

  static async start(): Promise<SmtpSink> {
    const sink = new SmtpSink(0);
    await sink.listen();
    return sink;
  }

  /** The app's SMTP mailer pointed at this sink, as the reminder run and the deliverers build it. */
  mailer(from = 'Marketplace leads <leads@contoso.example>'): Mailer {
    return createMailer({
      transport: 'smtp',
      from,
      smtp: { host: '127.0.0.1', port: this.port, secure: false },
      outboxDir: 'unused',
    });
  }

  reset(): void {
    this.received.length = 0;
    this.receivedAt.length = 0;
    this.refuse.clear();
    this.refuseAll = false;
    this.delayMs = 0;
  }

  to(address: string): ReceivedMail[] {
    return this.received.filter((m) => m.rcptTo.some((r) => r.toLowerCase() === address.toLowerCase()));
  }

  async listen(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        if (this.refuseAll || this.refuse.has(address.address.toLowerCase())) {
          return callback(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
        }
        callback();
      },
      onData: (stream, session: SMTPServerSession, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const from = session.envelope.mailFrom;
          const mail = parseMail(Buffer.concat(chunks).toString('utf8'), {
            mailFrom: from === false ? '' : from.address,
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
          });
          setTimeout(() => {
            this.received.push(mail);
            this.receivedAt.push(Date.now());
            callback();
          }, this.delayMs);
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening: the app then gets "connection refused", like a mail server that is down. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
