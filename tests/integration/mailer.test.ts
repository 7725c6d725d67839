/**
 * The mailer against a real SMTP server (smtp-server on loopback, random port) and a real outbox folder: the
 * reminder job marks a reminder sent only when send() resolves, so failures must surface as rejections.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';

import type { AppConfig } from '../../shared/config';
import { type DigestLead, renderDigest } from '../../shared/followUp/digest';
import { createMailer } from '../../shared/mail/createMailer';
import { type MailMessage, MailSendError } from '../../shared/mail/mailer';

const FROM = 'Marketplace leads <leads@contoso.example>';
const NOW = new Date('2024-05-03T12:00:00Z');

interface Received {
  mailFrom: string;
  rcptTo: string[];
  raw: string;
}

interface RunningServer {
  port: number;
  received: Received[];
  stop(): Promise<void>;
}

async function startServer(handlers: Pick<SMTPServerOptions, 'onRcptTo' | 'onData'> = {}): Promise<RunningServer> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo: handlers.onRcptTo,
    onData:
      handlers.onData ??
      ((stream, session: SMTPServerSession, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const from = session.envelope.mailFrom;
          received.push({
            mailFrom: from === false ? '' : from.address,
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      }),
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return { port, received, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function smtpSettings(port: number): AppConfig['mail'] {
  return { transport: 'smtp', from: FROM, smtp: { host: '127.0.0.1', port, secure: false }, outboxDir: 'unused' };
}

// Just enough MIME for these assertions: headers, one level of multipart, QP/base64 bodies.
interface ParsedMail {
  headers: Map<string, string>;
  parts: Map<string, string>;
}

function splitHeaders(raw: string): { headers: Map<string, string>; body: string } {
  const text = raw.replace(/\r\n/g, '\n');
  const end = text.indexOf('\n\n');
  const headers = new Map<string, string>();
  for (const line of text
    .slice(0, end)
    .replace(/\n[ \t]+/g, ' ')
    .split('\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: text.slice(end + 2) };
}

function decodeBody(body: string, encoding: string | undefined): string {
  if (encoding?.toLowerCase() === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding?.toLowerCase() === 'quoted-printable') {
    // Escape literal % first so only the QP escapes turn into bytes.
    const bytes = body
      .replace(/=\n/g, '')
      .replace(/%/g, '%25')
      .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => `%${hex}`);
    return decodeURIComponent(bytes);
  }
  return body;
}

function parseMail(raw: string): ParsedMail {
  const { headers, body } = splitHeaders(raw);
  const boundary = /boundary="?([^";]+)"?/.exec(headers.get('content-type') ?? '')?.[1];
  if (boundary === undefined) throw new Error('expected a multipart message');
  const parts = new Map<string, string>();
  for (const chunk of body.split(`--${boundary}`).slice(1, -1)) {
    const part = splitHeaders(chunk.replace(/^\n/, ''));
    const type = (part.headers.get('content-type') ?? '').split(';')[0] ?? '';
    parts.set(type, decodeBody(part.body.replace(/\n$/, ''), part.headers.get('content-transfer-encoding')));
  }
  return { headers, parts };
}

function digestLead(leadId: string, overrides: Partial<DigestLead> = {}): DigestLead {
  return {
    leadId,
    stage: 'trial',
    firstName: 'Zoë',
    lastName: '<b>Smith</b>',
    company: 'Fabrikam "Labs"',
    email: 'zoe@fabrikam.example',
    phoneE164: '+15550100',
    offerTitle: 'Contoso Widget',
    firstSeenAt: new Date(NOW.getTime() - 27 * 3_600_000),
    history: [
      { at: new Date(NOW.getTime() - 27 * 3_600_000), source: 'AzureMarketplace', action: 'Trial', stage: 'trial' },
    ],
    contactUrl: `https://leads.contoso.example/api/leads/${leadId}/contact?token=1.abc`,
    escalation: false,
    ...overrides,
  };
}

function digestMessage(to: string[]): MailMessage {
  const digest = renderDigest(
    [digestLead('01HZX3V6Q8W4M2K9T7R5N3B1CD'), digestLead('01HZX3V6Q8W4M2K9T7R5N3B1CE', { stage: 'active' })],
    NOW,
    {
      escalation: false,
    },
  );
  return { to, ...digest };
}

const normalise = (s: string): string => s.replace(/\r\n/g, '\n').trimEnd();

describe('SMTP transport', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  test('delivers a digest with both parts to every recipient', async () => {
    server = await startServer();
    const logs: string[] = [];
    const mailer = createMailer(smtpSettings(server.port), (m) => logs.push(m));
    const message = digestMessage(['alice@contoso.example', 'bob@contoso.example']);
    try {
      const result = await mailer.send(message);
      expect(result.accepted).toEqual(['alice@contoso.example', 'bob@contoso.example']);

      expect(server.received).toHaveLength(1);
      const [got] = server.received as [Received];
      expect(got.mailFrom).toBe('leads@contoso.example');
      expect(got.rcptTo).toEqual(['alice@contoso.example', 'bob@contoso.example']);

      const mail = parseMail(got.raw);
      expect(mail.headers.get('subject')).toBe(message.subject);
      expect(mail.headers.get('from')).toBe(FROM);
      expect(mail.headers.get('to')).toBe('alice@contoso.example, bob@contoso.example');
      expect(mail.headers.get('message-id')).toBe(result.messageId);
      expect(mail.headers.get('content-type')).toMatch(/^multipart\/alternative/);
      expect(normalise(mail.parts.get('text/plain') ?? '')).toBe(normalise(message.text));
      expect(normalise(mail.parts.get('text/html') ?? '')).toBe(normalise(message.html));
      expect(mail.parts.get('text/html')).toContain('&lt;b&gt;Smith&lt;/b&gt;');

      expect(logs).toHaveLength(1);
      expect(logs.join('\n')).not.toMatch(/alice|bob|Zo|Smith/);
    } finally {
      mailer.close();
    }
  });

  test('strips line breaks from the subject', async () => {
    server = await startServer();
    const mailer = createMailer(smtpSettings(server.port));
    try {
      await mailer.send({
        to: ['alice@contoso.example'],
        subject: 'Hello\r\nBcc: everyone@contoso.example',
        text: 'x',
        html: '<p>x</p>',
      });
      const { headers } = splitHeaders(server.received[0]?.raw ?? '');
      expect(headers.get('subject')).toBe('Hello Bcc: everyone@contoso.example');
      expect(headers.has('bcc')).toBe(false);
    } finally {
      mailer.close();
    }
  });

  test('rejects, naming the host but no recipient, when the server is down', async () => {
    const stopped = await startServer();
    await stopped.stop();
    const mailer = createMailer(smtpSettings(stopped.port));
    const started = Date.now();
    try {
      const error = await mailer.send(digestMessage(['alice@contoso.example'])).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MailSendError);
      const message = (error as MailSendError).message;
      expect(message).toContain(`127.0.0.1:${stopped.port}`);
      expect(message).not.toContain('alice');
      expect((error as MailSendError).transient).toBe(true);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      mailer.close();
    }
  });

  test('rejects when the server refuses the recipient', async () => {
    server = await startServer({
      onRcptTo: (address, _session, callback) => {
        const refusal = Object.assign(new Error(`<${address.address}>: mailbox unavailable`), { responseCode: 550 });
        callback(refusal);
      },
    });
    const mailer = createMailer(smtpSettings(server.port));
    try {
      const error = await mailer.send(digestMessage(['carol@contoso.example'])).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MailSendError);
      const failure = error as MailSendError;
      expect(failure.message).toContain(`127.0.0.1:${server.port}`);
      expect(failure.message).not.toContain('carol');
      expect(failure.responseCode).toBe(550);
      expect(failure.transient).toBe(false);
      expect(server.received).toHaveLength(0);
    } finally {
      mailer.close();
    }
  });

  test('resolves with only the accepted recipients when some are refused', async () => {
    server = await startServer({
      onRcptTo: (address, _session, callback) =>
        callback(
          address.address.startsWith('gone') ? Object.assign(new Error('no such user'), { responseCode: 550 }) : null,
        ),
    });
    const mailer = createMailer(smtpSettings(server.port));
    try {
      const result = await mailer.send(digestMessage(['alice@contoso.example', 'gone@contoso.example']));
      expect(result.accepted).toEqual(['alice@contoso.example']);
      expect(server.received[0]?.rcptTo).toEqual(['alice@contoso.example']);
    } finally {
      mailer.close();
    }
  });

  test('rejects when the server refuses the message data', async () => {
    server = await startServer({
      onData: (stream, _session, callback) => {
        stream.resume();
        stream.on('end', () => callback(Object.assign(new Error('try again later'), { responseCode: 451 })));
      },
    });
    const mailer = createMailer(smtpSettings(server.port));
    try {
      const error = await mailer.send(digestMessage(['alice@contoso.example'])).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MailSendError);
      expect((error as MailSendError).responseCode).toBe(451);
      expect((error as MailSendError).transient).toBe(true);
    } finally {
      mailer.close();
    }
  });

  test('rejects a message without recipients', async () => {
    const mailer = createMailer(smtpSettings(1));
    await expect(mailer.send({ to: [], subject: 's', text: 't', html: 'h' })).rejects.toThrow('no recipients');
    mailer.close();
  });
});

describe('outbox transport', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mailer-outbox-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('writes a parseable .eml per message into a folder it creates', async () => {
    const outboxDir = path.join(dir, 'nested', 'outbox');
    const logs: string[] = [];
    const mailer = createMailer({ transport: 'outbox', from: FROM, outboxDir }, (m) => logs.push(m));
    const message = digestMessage(['alice@contoso.example']);
    try {
      const first = await mailer.send(message);
      const second = await mailer.send({ ...message, to: ['bob@contoso.example'] });
      expect(first.accepted).toEqual(['alice@contoso.example']);

      const files = await readdir(outboxDir);
      expect(files).toHaveLength(2);
      for (const file of files)
        expect(file).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-\d{4}-[A-Za-z0-9._-]+\.eml$/);
      // Sorting by name is sorting by send order.
      const sorted = [...files].sort();
      const raw = await readFile(path.join(outboxDir, sorted[0] ?? ''), 'utf8');
      expect(raw).toContain('\r\n');

      const mail = parseMail(raw);
      expect(mail.headers.get('from')).toBe(FROM);
      expect(mail.headers.get('to')).toBe('alice@contoso.example');
      expect(mail.headers.get('subject')).toBe(message.subject);
      expect(mail.headers.get('message-id')).toBe(first.messageId);
      expect(normalise(mail.parts.get('text/plain') ?? '')).toBe(normalise(message.text));
      expect(normalise(mail.parts.get('text/html') ?? '')).toBe(normalise(message.html));
      expect(parseMail(await readFile(path.join(outboxDir, sorted[1] ?? ''), 'utf8')).headers.get('message-id')).toBe(
        second.messageId,
      );

      expect(logs).toHaveLength(2);
      expect(logs[0]).toContain(path.join(outboxDir, sorted[0] ?? ''));
      expect(logs.join('\n')).not.toMatch(/alice|bob/);
    } finally {
      mailer.close();
    }
  });

  test('rejects when the outbox cannot be written', async () => {
    const blocker = path.join(dir, 'not-a-folder');
    await writeFile(blocker, 'x');
    const mailer = createMailer({ transport: 'outbox', from: FROM, outboxDir: blocker });
    await expect(mailer.send(digestMessage(['alice@contoso.example']))).rejects.toBeInstanceOf(MailSendError);
    mailer.close();
  });
});
