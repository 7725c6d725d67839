/**
 * Every HTTP handler answers through `guarded`. Besides keeping internals out of the answer (never a stack trace or
 * an exception message, which can hold storage URLs and keys), it is what answers at all: with HTTP streaming on, an
 * exception escaping a handler leaves the caller waiting until the Functions host's forwarding timeout
 * (azure-functions-nodejs-library#324) instead of getting a 500.
 */
import type { AnswerContext, HttpAnswer } from './answer';
import { errorAnswer } from './responses';

export async function guarded(
  context: AnswerContext,
  handle: () => HttpAnswer | Promise<HttpAnswer>,
): Promise<HttpAnswer> {
  try {
    return await handle();
  } catch (e) {
    // The error's name and first line only: SDK messages name the failing operation, not the data.
    const summary = e instanceof Error ? `${e.name}: ${e.message.split('\n')[0] ?? ''}` : 'non-Error thrown';
    context.error(`Request failed: ${summary}`);
    const message = `The request failed; the error is logged under invocation ${context.invocationId}.`;
    return errorAnswer(500, { error: 'internal_error', message }, { invocationId: context.invocationId });
  }
}
