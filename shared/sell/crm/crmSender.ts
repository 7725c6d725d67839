/**
 * Delivers one CRM hand-off (crmPayload.ts) to WEBHOOK_URL, signed (standardWebhooks.ts), in one attempt with a
 * deadline. The queue that carries deliveries does the retrying, so this only says whether trying again can help:
 * any 2xx is delivered; a 4xx other than 408 and 429 means the receiver refuses this request as it is, so it goes
 * to poison at once instead of being retried for days; anything else (no answer, 3xx, 408, 429, 5xx) is retried,
 * after the receiver's Retry-After when it names one.
 *
 * The URL may be a credential (a Power Automate "When an HTTP request is received" URL carries a `sig`), so results
 * and log lines name its host class only. A receiver's error text is never repeated (it may quote the personal data
 * it was sent): its status, content type and length are (replySummary.ts).
 */
import { headerValue, postJson } from '../../http/postJson';
import { replySummary } from '../../http/replySummary';
import { hostClass } from '../../http/secretUrl';
import { webhookVerdict } from '../../http/webhookVerdict';
import { retryAfterMs } from '../../mail/httpRetry';
import type { CrmDelivery } from './crmPayload';
import { signWebhook } from './standardWebhooks';

export interface CrmWebhookSettings {
  /** WEBHOOK_URL: HTTPS (plain HTTP only to loopback, for local runs and tests). */
  url: string;
  /** WEBHOOK_SECRET's key, then any previous key still accepted while the secret is rotated. */
  keys: readonly Buffer[];
}

/** Standard Webhooks recommends giving receivers 15 to 30 s. */
export const CRM_REQUEST_TIMEOUT_MS = 15_000;

export interface CrmSendDeps {
  now?: () => Date;
  tls?: { ca: string };
  timeoutMs?: number;
}

export type CrmSendResult =
  | { ok: true; status: number }
  | {
      ok: false;
      retry: boolean;
      status?: number;
      /** The receiver's Retry-After, for the queue's next attempt. */
      retryAfterMs?: number;
      message: string;
    };

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Why a URL cannot take the hand-off, or undefined. Personal data goes out only over HTTPS. */
export function crmUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname)) return undefined;
  return 'must be an https:// URL (the hand-off carries personal data)';
}

export async function sendCrmWebhook(
  settings: CrmWebhookSettings,
  delivery: CrmDelivery,
  deps: CrmSendDeps = {},
): Promise<CrmSendResult> {
  const now = deps.now ?? (() => new Date());
  const where = `CRM webhook (${hostClass(settings.url)})`;
  const problem = crmUrlProblem(settings.url);
  if (problem !== undefined) return { ok: false, retry: false, message: `WEBHOOK_URL ${problem}` };

  const attemptAt = now();
  const outcome = await postJson({
    url: settings.url,
    body: delivery.body,
    headers: { 'content-type': 'application/json', ...signWebhook(delivery, attemptAt, settings.keys) },
    timeoutMs: deps.timeoutMs ?? CRM_REQUEST_TIMEOUT_MS,
    tls: deps.tls,
  });
  if (outcome.kind === 'noAnswer') {
    const text =
      outcome.failure === 'unreachable' || outcome.failure === 'tls'
        ? `could not be reached (${outcome.code ?? outcome.failure})`
        : `gave no answer in time${outcome.code === undefined ? '' : ` (${outcome.code})`}; it may have taken the delivery, and its webhook-id lets it drop the retry`;
    return { ok: false, retry: true, message: `${where} ${text}` };
  }
  const { status } = outcome;
  const verdict = webhookVerdict(status);
  if (verdict === 'accepted') return { ok: true, status };
  const wait = retryAfterMs({ get: (name) => headerValue(outcome.headers, name) }, attemptAt.getTime());
  return {
    ok: false,
    retry: verdict === 'retry',
    status,
    ...(verdict === 'retry' && wait !== undefined ? { retryAfterMs: wait } : {}),
    message: `${where} answered HTTP ${status} (${replySummary(outcome)})${verdict === 'permanent' ? '; not retried' : ''}`,
  };
}
