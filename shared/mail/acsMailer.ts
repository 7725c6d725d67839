/**
 * Reminder mail through Azure Communication Services Email, authenticated with the app's managed identity
 * (role "Communication and Email Service Owner" on the resource; there is no narrower built-in role).
 *
 * Accepted means the send operation reached Succeeded: ACS answers 202 as soon as it has queued the request, and
 * the operation can still fail (a sender not on a linked domain, every recipient suppressed). So send() polls
 * the operation, within the message's time budget, and resolves only on Succeeded. Every attempt of one send
 * carries the same Operation-Id, the key ACS identifies the send by; a send itself is retried only when ACS
 * refused it outright (429/503, after Retry-After), status polls also after lost connections (httpRetry.ts).
 */
import { randomUUID } from 'node:crypto';

import { EmailClient, type EmailMessage } from '@azure/communication-email';
import { isRestError } from '@azure/core-rest-pipeline';

import { retryWithinDeadlinePolicy } from './httpRetry';
import { DEFAULT_SEND_BUDGET_MS, type MailApiDeps, MailApiError } from './mailApi';
import { type Mailer, type MailMessage, MailSendError } from './mailer';
import { redact } from './redact';

export interface AcsMailSettings {
  /** ACS_ENDPOINT: `https://<resource>.<geo>.communication.azure.com`. */
  endpoint: string;
  /** A sender on a domain linked to the resource, e.g. `DoNotReply@<guid>.azurecomm.net` (from MAIL_FROM). */
  senderAddress: string;
  /** Longest one send may take: throttling waits and status polls included. */
  timeBudgetMs?: number;
  /** Pause between status polls when ACS suggests none (the SDK's default is 2 s). */
  pollIntervalMs?: number;
}

/** The send request: both bodies, the recipients, and no engagement tracking (no open/click pixels). */
export function acsEmailMessage(senderAddress: string, message: MailMessage): EmailMessage {
  return {
    senderAddress,
    content: { subject: message.subject.replace(/[\r\n]+/g, ' ').trim(), plainText: message.text, html: message.html },
    recipients: { to: message.to.map((address) => ({ address })) },
    disableUserEngagementTracking: true,
  };
}

function errorFields(error: unknown): { status?: number; code?: string; text: string } {
  if (isRestError(error)) {
    const body = (error.details ?? {}) as { error?: { code?: unknown; message?: unknown } };
    const code = typeof body.error?.code === 'string' ? body.error.code : error.code;
    const message = typeof body.error?.message === 'string' ? body.error.message : error.message;
    return { status: error.statusCode, code, text: redact(message) };
  }
  if (error instanceof Error) {
    // A failed operation: core-lro throws the operation's error ({ code, message }) as an Error.
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : undefined, text: redact(`${error.name}: ${error.message}`) };
  }
  return { text: redact(String(error)) };
}

export function createAcsMailer(settings: AcsMailSettings, deps: MailApiDeps): Mailer {
  const budget = settings.timeBudgetMs ?? DEFAULT_SEND_BUDGET_MS;
  const now = deps.now ?? Date.now;
  const log = deps.log ?? (() => undefined);
  const where = `Azure Communication Services (${new URL(settings.endpoint).host})`;

  return {
    async send(message) {
      if (message.to.length === 0) throw new MailSendError('Mail has no recipients');
      const deadline = now() + budget;
      const client = new EmailClient(settings.endpoint, deps.credential, {
        // The SDK's own retries would wait out any Retry-After and repeat a send after a lost answer.
        retryOptions: { maxRetries: 0 },
        additionalPolicies: [{ policy: retryWithinDeadlinePolicy({ deadline, now, log }), position: 'perCall' }],
        tlsOptions: deps.tls,
      });
      const operationId = randomUUID();
      const abortSignal = AbortSignal.timeout(Math.max(1, deadline - now()));
      let queued = false;
      try {
        const poller = await client.beginSend(acsEmailMessage(settings.senderAddress, message), {
          operationId,
          abortSignal,
          updateIntervalInMs: settings.pollIntervalMs,
          onResponse: (response) => {
            if (response.status >= 200 && response.status < 300) queued = true;
          },
        });
        const result = await poller.pollUntilDone({ abortSignal });
        if (result.status !== 'Succeeded') {
          throw new MailApiError(
            `${where} ended operation ${operationId} as ${result.status}`,
            undefined,
            result.status,
            false,
          );
        }
      } catch (error) {
        if (error instanceof MailApiError) throw error;
        const { status, code, text } = errorFields(error);
        if (!queued) {
          throw new MailApiError(
            `${where} did not take the message${status === undefined ? '' : `: HTTP ${status}`} (${text})${status === 429 || status === 503 ? `; still throttled after waiting what this message may (${Math.round(budget / 1000)} s), the next run sends it` : status === 401 || status === 403 ? "; the app's identity needs the role Communication and Email Service Owner on the resource" : ''}`,
            status,
            code,
          );
        }
        // Queued but not Succeeded: failed for good, or no final state within the budget.
        const timedOut = abortSignal.aborted || now() >= deadline;
        throw new MailApiError(
          timedOut
            ? `${where} queued the message (operation ${operationId}) but did not report it sent within ${Math.round(budget / 1000)} s; it is not marked sent, so the next run may send it again`
            : `${where} queued the message (operation ${operationId}) but it failed: ${text}`,
          status,
          code,
          // A failed operation (a suppressed recipient, a sender the domain does not allow) fails again next run.
          timedOut || status !== undefined ? undefined : false,
        );
      }
      log(`Mail ${operationId} sent by ${where} to ${message.to.length} recipient(s)`);
      return { messageId: operationId, accepted: [...message.to] };
    },
    close() {
      // Each send builds its own client; nothing stays open between sends.
    },
  };
}
