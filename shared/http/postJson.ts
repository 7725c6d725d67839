/**
 * One outbound POST with a deadline, for webhooks (Teams, the CRM hand-off). Exactly one attempt: the callers
 * decide what is worth retrying. Redirects are not followed (a webhook URL that moved is a setting to fix, and a
 * redirect must not carry the body and its signature elsewhere), no connection is kept for later, and the answer
 * is read up to a small limit: only its status and a short error text matter.
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
  maxResponseBytes?: number;
}

/**
 * `unreachable`: no connection was made (DNS, refused), so nothing was received. `tls`: the peer's certificate was
 * refused before anything was sent. `timeout` and `lost` (connection dropped): the peer may or may not have acted.
 */
export type NoAnswer = 'timeout' | 'unreachable' | 'tls' | 'lost';

export type PostOutcome =
  | { kind: 'answered'; status: number; headers: IncomingHttpHeaders; body: string }
  | { kind: 'noAnswer'; failure: NoAnswer; code?: string };

const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024;
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
  const limit = req.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
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
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < limit) chunks.push(chunk.subarray(0, limit - size));
          size += chunk.length;
        });
        response.on('end', () =>
          settle({
            kind: 'answered',
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        // The status came but the body was cut off: still an answer, and the status is what counts.
        response.on('error', () =>
          settle({ kind: 'answered', status: response.statusCode ?? 0, headers: response.headers, body: '' }),
        );
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
