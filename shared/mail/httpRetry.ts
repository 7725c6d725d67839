/**
 * Retries for the mail APIs (Microsoft Graph, Communication Services), inside one send and within its deadline.
 *
 * A reminder is marked sent only when the service accepted it, and a retry must never deliver a digest twice, so
 * what is retried depends on what the failure proves:
 *  - 429 and 503 say the request was refused, not processed: any request is retried, after the service's
 *    Retry-After (or a short backoff when it names none).
 *  - A lost connection, a timeout or a 5xx proves nothing: the service may have acted. Only reads (the status
 *    polls of a send) are retried; a send is not, and the caller reports it unsent with that caveat.
 * A wait that would end past the deadline is not started: the refusal goes back to the caller at once, and the
 * next timer run sends the message.
 */
import {
  isRestError,
  type PipelinePolicy,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';

/** Longest one HTTP exchange may take; a black-holed service must not hold the run. */
export const REQUEST_TIMEOUT_MS = 30_000;
const MAX_ATTEMPTS = 8;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 8_000;

export interface RetryFacts {
  method: string;
  /** The response status, or undefined when no response came (connection lost, timeout). */
  status?: number;
  /** What the response asked for (Retry-After and friends), in ms. */
  retryAfterMs?: number;
  /** 1 for the first try. */
  attempt: number;
}

export type RetryDecision = { retry: false } | { retry: true; waitMs: number };

function backoffMs(attempt: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** (attempt - 1), BACKOFF_MAX_MS);
}

/** Pure: whether and after how long to try again, before the deadline is considered. */
export function retryDecision(facts: RetryFacts): RetryDecision {
  if (facts.attempt >= MAX_ATTEMPTS) return { retry: false };
  if (facts.status === 429 || facts.status === 503) {
    return { retry: true, waitMs: facts.retryAfterMs ?? backoffMs(facts.attempt) };
  }
  const idempotent = facts.method === 'GET' || facts.method === 'HEAD';
  const unknownOutcome =
    facts.status === undefined ||
    facts.status === 408 ||
    facts.status === 500 ||
    facts.status === 502 ||
    facts.status === 504;
  if (idempotent && unknownOutcome) return { retry: true, waitMs: backoffMs(facts.attempt) };
  return { retry: false };
}

/**
 * Reads `retry-after-ms`, `x-ms-retry-after-ms` (milliseconds) or `Retry-After` (seconds, or an HTTP date), as
 * Azure services send them. Undefined when none is usable.
 */
export function retryAfterMs(headers: { get(name: string): string | undefined }, now: number): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const text = headers.get(name)?.trim();
    if (text !== undefined && /^\d+$/.test(text)) return Number(text);
  }
  const text = headers.get('retry-after')?.trim();
  if (text === undefined || text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** The send's time budget ran out before this request could start. */
export class DeadlineError extends Error {
  constructor() {
    super('the time allowed for this message ran out');
    this.name = 'TimeoutError';
  }
}

export interface RetryWindow {
  /** Epoch ms: nothing is started, and no wait is begun, that would end later. */
  deadline: number;
  now?: () => number;
  /** One line per retry, for the invocation log. */
  log?: (line: string) => void;
}

/** A core-rest-pipeline policy applying retryDecision within the window; place it outside the auth policy. */
export function retryWithinDeadlinePolicy(window: RetryWindow): PipelinePolicy {
  const now = window.now ?? Date.now;
  return {
    name: 'retryWithinDeadline',
    async sendRequest(request: PipelineRequest, next): Promise<PipelineResponse> {
      for (let attempt = 1; ; attempt++) {
        const remaining = window.deadline - now();
        if (remaining <= 0) throw new DeadlineError();
        request.timeout = Math.min(REQUEST_TIMEOUT_MS, remaining);
        let response: PipelineResponse | undefined;
        let failure: unknown;
        try {
          response = await next(request);
        } catch (e) {
          failure = e;
          // An SDK's deserializer throws for an error status, with the response attached: that is an answer.
          if (isRestError(e) && e.response !== undefined) response = e.response;
        }
        const status = response?.status;
        const decision = retryDecision({
          method: request.method,
          status,
          retryAfterMs: response === undefined ? undefined : retryAfterMs(response.headers, now()),
          attempt,
        });
        if (!decision.retry || now() + decision.waitMs > window.deadline) {
          if (failure !== undefined || response === undefined) throw failure;
          return response;
        }
        window.log?.(
          `${request.method} ${new URL(request.url).host}: ${status === undefined ? 'no response' : `HTTP ${status}`}, retrying in ${Math.round(decision.waitMs / 100) / 10} s (attempt ${attempt + 1})`,
        );
        await sleep(decision.waitMs, request.abortSignal);
      }
    },
  };
}

function sleep(ms: number, signal: PipelineRequest['abortSignal']): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('the send was aborted'));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('the send was aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort);
  });
}
