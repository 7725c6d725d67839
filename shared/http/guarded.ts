/**
 * The API's answers in one shape: 400 names the parameter and the values it takes, 404 says what was not
 * found, and anything unexpected is a 500 that carries the invocation id to look up in the logs — never a
 * stack trace or an exception message, which can hold storage URLs and keys.
 */
import type { HttpResponseInit, InvocationContext } from '@azure/functions';

import type { ParamProblem } from './problems';
import { problem } from './responses';

export function badRequest(p: ParamProblem): HttpResponseInit {
  return problem(
    400,
    'invalid_parameter',
    p.parameter === '' ? p.message : `${p.parameter} ${p.message}`,
    p.allowed ? { parameter: p.parameter, allowed: p.allowed } : { parameter: p.parameter },
  );
}

export function notFound(message: string): HttpResponseInit {
  return problem(404, 'not_found', message);
}

/**
 * Every HTTP handler answers through this. Besides keeping internals out of the answer, it is what answers at all:
 * with HTTP streaming on, an exception escaping a handler leaves the caller waiting until the Functions host's
 * forwarding timeout (azure-functions-nodejs-library#324) instead of getting a 500.
 */
export async function guarded(
  context: InvocationContext,
  handle: () => HttpResponseInit | Promise<HttpResponseInit>,
): Promise<HttpResponseInit> {
  try {
    return await handle();
  } catch (e) {
    // The error's name and first line only: SDK messages name the failing operation, not the data.
    const summary = e instanceof Error ? `${e.name}: ${e.message.split('\n')[0] ?? ''}` : 'non-Error thrown';
    context.error(`Request failed: ${summary}`);
    return problem(
      500,
      'internal_error',
      `The request failed; the error is logged under invocation ${context.invocationId}.`,
      {
        invocationId: context.invocationId,
      },
    );
  }
}
