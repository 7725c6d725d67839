/**
 * Posts an alert card to Microsoft Teams through a Workflows webhook ("When a Teams webhook request is received").
 * The flow answers 202 once it has taken the request; it posts the card afterwards, so any 2xx is accepted.
 *
 * Throttling (429, or 503 while the service is busy) is a refusal, not an outcome: the request is sent again after
 * the answer's Retry-After (or a short backoff), but only while the wait fits the time this send may take; a longer
 * wait goes back to the caller with the delay, for the queue to retry then. Nothing else is retried here: after a
 * timeout or a 5xx the flow may have run, and the caller's queue decides whether to risk a second card.
 *
 * The URL is the credential (its `sig` parameter), so it never appears in a result, an error or a log line: they
 * name the kind of host (hostClass). The flow's error text is never repeated (it may quote the card, which names
 * the lead): its status, content type and length are (replySummary.ts).
 */
import { headerValue, postJson } from '../../http/postJson';
import { replySummary } from '../../http/replySummary';
import { hostClass } from '../../http/secretUrl';
import { webhookVerdict } from '../../http/webhookVerdict';
import { retryAfterMs } from '../../mail/httpRetry';
import type { TeamsSettings } from './settings';
import { type AdaptiveCard, teamsPayload } from './teamsCard';

export interface TeamsSendLimits {
  /** Longest the whole send may take, throttling waits included. */
  budgetMs: number;
  /** Longest one request may take. */
  requestTimeoutMs: number;
  maxAttempts: number;
}

export const DEFAULT_TEAMS_LIMITS: TeamsSendLimits = { budgetMs: 30_000, requestTimeoutMs: 10_000, maxAttempts: 4 };

export interface TeamsSendDeps {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Invocation log: one line per retry; never the URL, never card content. */
  log?: (line: string) => void;
  tls?: { ca: string };
}

export type TeamsSendResult =
  | { ok: true; status: number; attempts: number }
  | {
      ok: false;
      /** Whether sending again later may succeed. */
      retry: boolean;
      status?: number;
      /** When the service asked for a pause longer than this send could wait. */
      retryAfterMs?: number;
      message: string;
    };

const BACKOFF_MS = 1_000;

function hint(status: number): string {
  if (status === 401 || status === 403)
    return ': the URL was refused (a flow re-created or its trigger changed gets a new URL: set TEAMS_WEBHOOK_URL to it)';
  if (status === 404) return ': no flow answers at this URL (deleted, or turned off?)';
  if (status === 400) return ': the flow refused the request (does it expect TEAMS_PAYLOAD=card?)';
  if (status === 413) return ': the card is too large for the flow';
  if (status >= 300 && status < 400) return ': the URL redirects; set TEAMS_WEBHOOK_URL to the flow’s current URL';
  return '';
}

export async function sendTeamsCard(
  settings: TeamsSettings,
  card: AdaptiveCard,
  deps: TeamsSendDeps = {},
  limits: TeamsSendLimits = DEFAULT_TEAMS_LIMITS,
): Promise<TeamsSendResult> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const where = `Teams webhook (${hostClass(settings.webhookUrl)})`;
  const body = JSON.stringify(teamsPayload(card, settings.payload));
  const deadline = now() + limits.budgetMs;

  for (let attempt = 1; ; attempt++) {
    const remaining = deadline - now();
    if (remaining <= 0) return { ok: false, retry: true, message: `${where}: the time for this alert ran out` };
    const outcome = await postJson({
      url: settings.webhookUrl,
      body,
      timeoutMs: Math.min(limits.requestTimeoutMs, remaining),
      tls: deps.tls,
    });
    if (outcome.kind === 'noAnswer') {
      const text =
        outcome.failure === 'unreachable' || outcome.failure === 'tls'
          ? `could not be reached (${outcome.code ?? outcome.failure}); the card was not posted`
          : `gave no answer in time${outcome.code === undefined ? '' : ` (${outcome.code})`}; the card may or may not have been posted`;
      return { ok: false, retry: true, message: `${where} ${text}` };
    }
    const { status } = outcome;
    const verdict = webhookVerdict(status);
    if (verdict === 'accepted') return { ok: true, status, attempts: attempt };

    if (status === 429 || status === 503) {
      const asked = retryAfterMs({ get: (name) => headerValue(outcome.headers, name) }, now());
      const wait = asked ?? BACKOFF_MS * 2 ** (attempt - 1);
      if (attempt < limits.maxAttempts && now() + wait + 1 < deadline) {
        deps.log?.(`${where}: HTTP ${status}, posting again in ${Math.ceil(wait / 1000)} s (attempt ${attempt + 1})`);
        await sleep(wait);
        continue;
      }
      return {
        ok: false,
        retry: true,
        status,
        retryAfterMs: wait,
        message: `${where} is throttling (HTTP ${status}${asked === undefined ? '' : `, Retry-After ${Math.ceil(asked / 1000)} s`}), longer than this alert may wait here; it is sent again later`,
      };
    }
    return {
      ok: false,
      retry: verdict === 'retry',
      status,
      message: `${where} answered HTTP ${status} (${replySummary(outcome)})${hint(status)}`,
    };
  }
}
