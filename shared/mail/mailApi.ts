/**
 * What the two mail APIs (Microsoft Graph, Communication Services) share: what a transport is given, and how a
 * refusal is reported. Unlike SMTP's reply codes, an HTTP 4xx other than 429 is not worth retrying: a missing
 * permission or a bad sender stays wrong until someone fixes it.
 */
import type { TokenCredential } from '@azure/identity';

import { MailSendError } from './mailer';
import { redact } from './redact';

/** Longest one send() may take by default, throttling waits and status polls included (the run lease is 10 min). */
export const DEFAULT_SEND_BUDGET_MS = 90_000;

export interface MailApiDeps {
  /** Tokens for the service: the app's managed identity in Azure (see shared/azureCredential.ts). */
  credential: TokenCredential;
  /** Invocation log; never given recipients or content. */
  log?: (line: string) => void;
  /** CA certificate(s) to trust instead of the public ones: a private endpoint behind TLS inspection, or tests. */
  tls?: { ca: string };
  now?: () => number;
}

export class MailApiError extends MailSendError {
  constructor(
    message: string,
    /** The HTTP status, or undefined when no answer came (connection lost, timeout, deadline, no token). */
    readonly status: number | undefined,
    /** The service's error code (Graph `error.code`, ACS `error.code`), when it gave one. */
    code?: string,
    /** Whether the next run may succeed; by default from the status (none, 429 and 5xx are transient). */
    private readonly transientOverride?: boolean,
  ) {
    super(message, code);
    this.name = 'MailApiError';
  }

  override get transient(): boolean {
    return this.transientOverride ?? (this.status === undefined || this.status === 429 || this.status >= 500);
  }
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown };
}

/** `{ error: { code, message } }`, the shape both APIs use; the message redacted (it may echo an address). */
export function apiErrorDetail(body: string | undefined): { code?: string; detail: string } {
  if (body === undefined || body.trim() === '') return { detail: 'no details' };
  let parsed: ErrorBody;
  try {
    parsed = JSON.parse(body) as ErrorBody;
  } catch {
    return { detail: redact(body.slice(0, 200)) };
  }
  const code = typeof parsed.error?.code === 'string' ? parsed.error.code : undefined;
  const message = typeof parsed.error?.message === 'string' ? redact(parsed.error.message) : undefined;
  return { code, detail: [code, message].filter(Boolean).join(': ') || 'no details' };
}
