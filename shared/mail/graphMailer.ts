/**
 * Reminder mail through Microsoft Graph: `POST /v1.0/users/{sender}/sendMail` with an app-only token of the app's
 * managed identity. Exchange lets the identity send as the one mailbox an admin scoped it to (Exchange RBAC for
 * Applications, docs/deploy.md), so no password or client secret exists anywhere.
 *
 * Accepted means Graph answered 202: Exchange took the message for delivery. Graph has no idempotency key, so a
 * send is retried only when Graph refused it outright (429/503, after Retry-After); see httpRetry.ts.
 */
import { randomUUID } from 'node:crypto';

import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  isRestError,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';

import { retryAfterMs, retryWithinDeadlinePolicy } from './httpRetry';
import { apiErrorDetail, DEFAULT_SEND_BUDGET_MS, type MailApiDeps, MailApiError } from './mailApi';
import { type Mailer, MailSendError } from './mailer';

export interface GraphMailSettings {
  /** MAIL_GRAPH_ENDPOINT: `https://graph.microsoft.com`, or a national cloud's Graph. */
  endpoint: string;
  /** The sending mailbox's address (from MAIL_FROM). Exchange shows the mailbox's own display name. */
  sender: string;
  /** Token audience; by default the Graph the endpoint belongs to (graphAudience). */
  audience?: string;
  /** Longest one send may take, throttling waits included. */
  timeBudgetMs?: number;
}

// Graph's national clouds, whose tokens carry their own audience (learn.microsoft.com/graph/deployments).
const NATIONAL_GRAPH_HOSTS = new Set([
  'graph.microsoft.com',
  'graph.microsoft.us',
  'dod-graph.microsoft.us',
  'microsoftgraph.chinacloudapi.cn',
]);

/**
 * The token audience for a Graph endpoint: a national cloud's own Graph, and otherwise the global one. An endpoint
 * that is none of them (a forwarding proxy, a test server) stands in front of the global Graph.
 */
export function graphAudience(endpoint: string): string {
  const url = new URL(endpoint);
  return NATIONAL_GRAPH_HOSTS.has(url.hostname) ? url.origin : 'https://graph.microsoft.com';
}

interface GraphRecipient {
  emailAddress: { address: string };
}

/** The sendMail body: one HTML body (Graph takes one), recipients, and no copy kept in Sent Items. */
export function graphSendMailBody(message: { to: string[]; subject: string; html: string }): {
  message: {
    subject: string;
    body: { contentType: 'HTML'; content: string };
    toRecipients: GraphRecipient[];
  };
  saveToSentItems: boolean;
} {
  return {
    message: {
      subject: message.subject.replace(/[\r\n]+/g, ' ').trim(),
      body: { contentType: 'HTML', content: message.html },
      toRecipients: message.to.map((address) => ({ emailAddress: { address } })),
    },
    // The digests carry customer contact data; the app's own history records what was sent, so no second copy.
    saveToSentItems: false,
  };
}

function hint(status: number, code: string | undefined, sender: string): string {
  if (status === 401) return ': the token was refused (is MAIL_GRAPH_ENDPOINT in the identity’s cloud?)';
  if (status === 403)
    return `: the app's identity may not send as ${sender}; grant it Mail.Send scoped to that mailbox (Exchange RBAC for Applications, docs/deploy.md)`;
  if (status === 404 || code === 'MailboxNotEnabledForRESTAPI' || code === 'ErrorInvalidUser')
    return `: ${sender} is not an Exchange Online mailbox (check MAIL_FROM, and that the mailbox has a licence)`;
  return '';
}

const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'CERT_HAS_EXPIRED']);

export function createGraphMailer(settings: GraphMailSettings, deps: MailApiDeps): Mailer {
  const endpoint = settings.endpoint.replace(/\/+$/, '');
  const audience = settings.audience ?? graphAudience(endpoint);
  const budget = settings.timeBudgetMs ?? DEFAULT_SEND_BUDGET_MS;
  const now = deps.now ?? Date.now;
  const log = deps.log ?? (() => undefined);
  const url = `${endpoint}/v1.0/users/${encodeURIComponent(settings.sender)}/sendMail`;
  const httpClient = createDefaultHttpClient();
  const where = `Microsoft Graph (${new URL(endpoint).host})`;

  return {
    async send(message) {
      if (message.to.length === 0) throw new MailSendError('Mail has no recipients');
      const deadline = now() + budget;
      const pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 0 }, tlsOptions: deps.tls });
      // Outside the token policy, so a retry after a long Retry-After gets a fresh token if it needs one.
      pipeline.addPolicy(retryWithinDeadlinePolicy({ deadline, now, log }));
      pipeline.addPolicy(
        bearerTokenAuthenticationPolicy({ credential: deps.credential, scopes: `${audience}/.default` }),
      );
      const requestId = randomUUID();
      const request = createPipelineRequest({
        url,
        method: 'POST',
        headers: createHttpHeaders({ 'content-type': 'application/json', 'client-request-id': requestId }),
        body: JSON.stringify(graphSendMailBody(message)),
      });

      let response: PipelineResponse;
      try {
        response = await pipeline.sendRequest(httpClient, request);
      } catch (error) {
        throw noAnswer(error, where, audience, now() >= deadline);
      }
      if (response.status === 202) {
        log(`Mail ${requestId} accepted by ${where} for ${message.to.length} recipient(s)`);
        return { messageId: requestId, accepted: [...message.to] };
      }
      const { code, detail } = apiErrorDetail(response.bodyAsText ?? undefined);
      if (response.status === 429 || response.status === 503) {
        const wait = retryAfterMs(response.headers, now());
        throw new MailApiError(
          `${where} is throttling the mailbox (HTTP ${response.status}${wait === undefined ? '' : `, Retry-After ${Math.ceil(wait / 1000)} s`}), longer than this message may wait (${Math.round(budget / 1000)} s); it is not marked sent and the next run sends it`,
          response.status,
          code,
        );
      }
      throw new MailApiError(
        `${where} refused the message: HTTP ${response.status} (${detail})${hint(response.status, code, settings.sender)}`,
        response.status,
        code,
      );
    },
    close() {
      // Nothing is held between sends: each send builds its pipeline, and the HTTP client keeps no sockets open.
    },
  };
}

function noAnswer(error: unknown, where: string, audience: string, outOfTime: boolean): MailApiError {
  const name = error instanceof Error ? error.name : 'Error';
  const text = error instanceof Error ? error.message : String(error);
  if (outOfTime || name === 'AbortError' || name === 'TimeoutError') {
    return new MailApiError(
      `${where} gave no answer in time; the message may or may not have gone out, so it is not marked sent and the next run sends it`,
      undefined,
      'TIMEOUT',
    );
  }
  if (isRestError(error)) {
    const code = error.code;
    if (code !== undefined && CONNECT_FAILURES.has(code)) {
      return new MailApiError(`Could not reach ${where} (${code}); the message was not sent`, undefined, code);
    }
    return new MailApiError(
      `${where} gave no answer (${code ?? error.message}); the message may or may not have gone out, so it is not marked sent and the next run sends it`,
      undefined,
      code,
    );
  }
  if (/Credential|Authentication/.test(name)) {
    return new MailApiError(
      `Could not get a token for ${audience} from the app's identity (${name}: ${text.split('\n')[0]})`,
      undefined,
      name,
    );
  }
  return new MailApiError(`Sending through ${where} failed before an answer (${text})`, undefined);
}
