/**
 * What every mail transport is (createMailer.ts picks one), and two of them: SMTP, and .eml files in an outbox
 * folder for local runs and demos. send() only resolves once the server (or the disk) has taken the message, because callers record a
 * reminder as sent on success: a swallowed failure would silence a lead's reminders for good.
 *
 * Error messages and logs name the server, never recipients: they end up in Application Insights.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { createTransport } from 'nodemailer';

import type { SmtpSettings } from '../config';
import { redact } from './redact';

export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  /** Resolves with the recipients the server accepted (some may be refused); rejects if the message was not taken. */
  send(message: MailMessage): Promise<{ messageId: string; accepted: string[] }>;
  close(): void;
}

export class MailSendError extends Error {
  constructor(
    message: string,
    /** nodemailer's error code (ECONNECTION, ETIMEDOUT, EENVELOPE, …) when there is one. */
    readonly code?: string,
    /** The SMTP reply code, e.g. 550, when the server answered. */
    readonly responseCode?: number,
  ) {
    super(message);
    this.name = 'MailSendError';
  }

  /** A 4xx reply or no reply at all: worth retrying on the next run. */
  get transient(): boolean {
    return this.responseCode === undefined || (this.responseCode >= 400 && this.responseCode < 500);
  }
}

// A dead or black-holed server must fail a timer run in seconds, not hold it for nodemailer's minutes-long defaults.
const CONNECTION_TIMEOUT_MS = 10_000;
const GREETING_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 30_000;
const DNS_TIMEOUT_MS = 10_000;

interface NodemailerFailure {
  message?: unknown;
  code?: unknown;
  responseCode?: unknown;
}

function describeFailure(error: unknown): { detail: string; code?: string; responseCode?: number } {
  const e = (typeof error === 'object' && error !== null ? error : {}) as NodemailerFailure;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const message = typeof e.message === 'string' ? redact(e.message) : String(error);
  return { detail: [code, message].filter(Boolean).join(': '), code, responseCode };
}

/** Defence in depth: a CR or LF in a subject could start a new header if anything upstream ever mis-encoded it. */
function headerSafe(subject: string): string {
  return subject.replace(/[\r\n]+/g, ' ').trim();
}

function checkRecipients(message: MailMessage): void {
  if (message.to.length === 0) throw new MailSendError('Mail has no recipients');
}

export function smtpMailer(smtp: SmtpSettings, from: string, log: (msg: string) => void): Mailer {
  const server = `${smtp.host}:${smtp.port}`;
  const auth =
    smtp.user !== undefined && smtp.password !== undefined ? { user: smtp.user, pass: smtp.password } : undefined;
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth,
    // Never send credentials in clear: with a login on a non-TLS port, STARTTLS is mandatory, not opportunistic.
    requireTLS: !smtp.secure && auth !== undefined,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    dnsTimeout: DNS_TIMEOUT_MS,
    // Messages are plain strings we rendered; nothing should ever make nodemailer read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    async send(message) {
      checkRecipients(message);
      try {
        const info = await transport.sendMail({
          from,
          to: message.to,
          subject: headerSafe(message.subject),
          text: message.text,
          html: message.html,
        });
        const accepted = info.accepted.map(String);
        const rejected = info.rejected.length;
        log(`Mail ${info.messageId} sent via ${server}: ${accepted.length} recipient(s) accepted, ${rejected} refused`);
        return { messageId: info.messageId, accepted };
      } catch (error) {
        const failure = describeFailure(error);
        throw new MailSendError(
          `SMTP server ${server} did not take the message (${failure.detail})`,
          failure.code,
          failure.responseCode,
        );
      }
    },
    close() {
      transport.close();
    },
  };
}

/** "2024-05-01T14-03-12-345Z": ISO order, so a directory listing is chronological, and legal on Windows. */
function fileStamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

export function outboxMailer(outboxDir: string, from: string, log: (msg: string) => void): Mailer {
  // nodemailer builds the RFC 822 message (MIME parts, encodings, headers); CRLF because that is what .eml means.
  const transport = createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'windows',
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const dir = path.resolve(outboxDir);
  let sequence = 0;
  return {
    async send(message) {
      checkRecipients(message);
      try {
        const info = await transport.sendMail({
          from,
          to: message.to,
          subject: headerSafe(message.subject),
          text: message.text,
          html: message.html,
        });
        if (!Buffer.isBuffer(info.message)) throw new Error('stream transport did not return a buffer');
        // The sequence number keeps two mails from the same millisecond in send order.
        sequence = (sequence + 1) % 10_000;
        const safeId = info.messageId
          .replace(/[^A-Za-z0-9._-]+/g, '_')
          .replace(/^_+|_+$/g, '')
          .slice(0, 80);
        const file = path.join(dir, `${fileStamp(new Date())}-${String(sequence).padStart(4, '0')}-${safeId}.eml`);
        await mkdir(dir, { recursive: true });
        await writeFile(file, info.message, { flag: 'wx' });
        log(`Mail ${info.messageId} written to ${file}`);
        return { messageId: info.messageId, accepted: info.envelope.to.map(String) };
      } catch (error) {
        const failure = describeFailure(error);
        throw new MailSendError(`Could not write the message to the outbox ${dir} (${failure.detail})`, failure.code);
      }
    },
    close() {
      transport.close();
    },
  };
}
