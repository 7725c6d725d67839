/**
 * Every answer's shape. Errors are `{ error, message, problems? }` with one code per meaning (docs/api.md): the
 * code says what kind of failure, the message says it in a sentence, the problems name each field and its rule.
 */
import type { HttpAnswer } from './answer';
import type { FieldProblem } from './problems';

export type ErrorCode =
  | 'invalid_request'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'too_large'
  | 'misconfigured'
  | 'storage_unavailable'
  | 'internal_error';

export interface ErrorBody {
  error: ErrorCode;
  message: string;
  problems?: FieldProblem[];
}

/**
 * Serialised here rather than left to the library as `jsonBody`, so the answer carries its Content-Length: with
 * HTTP streaming a response without one is chunked, which costs the worker and the host one more write each.
 */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpAnswer {
  const text = JSON.stringify(body) ?? 'null';
  return {
    status,
    body: text,
    headers: {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      'cache-control': 'no-store',
      ...headers,
    },
  };
}

/** `extra` carries what one code adds: `settings` for misconfigured, `invocationId` for internal_error. */
export function errorAnswer(
  status: number,
  body: ErrorBody,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): HttpAnswer {
  return json(status, { ...body, ...extra }, headers);
}

export function invalidRequest(problems: FieldProblem[]): HttpAnswer {
  return errorAnswer(400, errorOf('invalid_request', problems));
}

export function notFound(message: string): HttpAnswer {
  return errorAnswer(404, { error: 'not_found', message });
}

export function methodNotAllowed(allowed: readonly string[], message: string): HttpAnswer {
  return errorAnswer(405, { error: 'method_not_allowed', message }, {}, { allow: allowed.join(', ') });
}

/** 413 for a body over a handler's limit, with the field problem like any other. */
export function tooLarge(maxBytes: number): HttpAnswer {
  return errorAnswer(413, errorOf('too_large', [bodyTooLargeProblem(maxBytes)]));
}

export function bodyTooLargeProblem(maxBytes: number): FieldProblem {
  return { field: 'body', rule: 'maxBytes', message: `The request body must be at most ${maxBytes} bytes` };
}

/** An error about fields: it always names them. */
export type ProblemBody = ErrorBody & { problems: FieldProblem[] };

/** An error body whose message is its problems' sentences. */
export function errorOf(error: ErrorCode, problems: FieldProblem[]): ProblemBody {
  return { error, message: problems.map((p) => p.message).join('; '), problems };
}
