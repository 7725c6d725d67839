import type { HttpResponseInit } from '@azure/functions';

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'cache-control': 'no-store', ...headers } };
}

/** An error body in one shape for every endpoint: a code, a sentence, and optionally the field-level problems. */
export function problem(
  status: number,
  error: string,
  message: string,
  extra: Record<string, unknown> = {},
): HttpResponseInit {
  return json(status, { error, message, ...extra });
}

/** 413 for a body over a handler's limit, in the shape of a field problem so callers can treat it like any other. */
export function bodyTooLarge(maxBytes: number): HttpResponseInit {
  const message = `The request body must be at most ${maxBytes} bytes`;
  return problem(413, 'body_too_large', message, { problems: [{ field: 'body', rule: 'maxBytes', message }] });
}
