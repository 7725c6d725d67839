/**
 * One outbound POST with a deadline, for webhooks (Teams, the CRM hand-off). Exactly one attempt: the callers
 * decide what is worth retrying. Redirects are not followed (a webhook URL that moved is a setting to fix, and a
 * redirect must not carry the body and its signature elsewhere), no connection is kept for later, and the answer's
 * body is counted, never kept: a receiver's error text may quote the personal data it was sent, so only its status,
 * headers and length come back (replySummary.ts says what an operator sees).
 *
 * Never rejects: the outcome is a value, and it never holds the URL, which is a secret for these webhooks
 * (their `sig` parameter is the credential). Callers describe the peer with `hostClass` (secretUrl.ts).
 */
import { type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface PostRequest {
  url: string;
  body: string;
  /** Sent as given; content-type defaults to JSON. */
  headers?: Record<string, string>;
  /** The whole exchange: connecting, sending, and reading the answer. */
  timeoutMs: number;
  /** CA certificate(s) to trust instead of the public ones: TLS inspection on a private network, or tests. */
  tls?: { ca: string };
}

/**
 * `unreachable`: no connection was made (DNS, refused), so nothing was received. `tls`: the peer's certificate was
 * refused before anything was sent. `timeout` and `lost` (connection dropped): the peer may or may not have acted.
 */
export type NoAnswer = 'timeout' | 'unreachable' | 'tls' | 'lost';

export type PostOutcome =
  /** `bytes`: the length of the body received, which is read to its end and dropped. */
  | { kind: 'answered'; status: number; headers: IncomingHttpHeaders; bytes: number }
  | { kind: 'noAnswer'; failure: NoAnswer; code?: string };

const UNREACHABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

function failureOf(error: unknown, timedOut: boolean): { failure: NoAnswer; code?: string } {
  if (timedOut) return { failure: 'timeout' };
  const code = (error as { code?: unknown } | null)?.code;
  const text = typeof code === 'string' ? code : undefined;
  if (text !== undefined && UNREACHABLE.has(text)) return { failure: 'unreachable', code: text };
  if (text !== undefined && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/.test(text))
    return { failure: 'tls', code: text };
  return { failure: 'lost', code: text };
}

export function postJson(req: PostRequest): Promise<PostOutcome> {
  const url = new URL(req.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const body = Buffer.from(req.body, 'utf8');
  return new Promise((resolve) => {
    let settled = false;
    let timedOut = false;
    const settle = (outcome: PostOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const request = send(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...req.headers, 'content-length': String(body.length) },
        // A fresh connection each time: nothing outlives the call (no socket keeps a test or a host alive).
        agent: false,
        ...(req.tls === undefined ? {} : { ca: req.tls.ca }),
      },
      (response) => {
        let bytes = 0;
        response.on('data', (chunk: Buffer) => (bytes += chunk.length));
        const answered = (): void =>
          settle({ kind: 'answered', status: response.statusCode ?? 0, headers: response.headers, bytes });
        response.on('end', answered);
        // The status came but the body was cut off: still an answer, and the status is what counts.
        response.on('error', answered);
      },
    );
    const timer = setTimeout(() => {
      timedOut = true;
      request.destroy();
      settle({ kind: 'noAnswer', failure: 'timeout' });
    }, req.timeoutMs);
    request.on('error', (error) => settle({ kind: 'noAnswer', ...failureOf(error, timedOut) }));
    request.end(body);
  });
}

/** One header's value as a string (Node gives arrays for repeated headers). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
