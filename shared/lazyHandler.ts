/**
 * Function files register at load and load their handler when it first runs. The worker loads every function file
 * at start, so whatever a function file imports at its top is paid by every cold start of every function: the lead
 * POST would wait for the mail, table and telemetry SDKs of functions that are not running.
 *
 * The pattern, the same in every functions/*.ts (local-host/README.md, "Cold start"):
 *
 *   import { app } from '@azure/functions';
 *   import { lazyHttpHandler } from '../shared/lazyHandler';
 *   app.http('name', { route: 'x', methods: ['GET'], authLevel: 'function', handler: lazyHttpHandler(() => import('./handlers/name')) });
 *
 * (`lazyHandler` for queue and timer triggers.) functions/handlers/name.ts exports `handler` and imports what the
 * function needs. A function file imports only `@azure/functions`, this module, and what its bindings need at
 * registration (shared/config's binding helpers); tests/integration/coldStart.test.ts fails on anything heavier.
 */
import type { AnswerContext, HttpAnswer } from './http/answer';
import { guarded } from './http/guarded';

/** A module that exports a handler under the name `handler`. */
export interface HandlerModule<Args extends unknown[], R> {
  handler: (...args: Args) => Promise<R>;
}

/**
 * The handler `load` provides, loaded on the first call and kept. A load that fails is tried again on the next
 * call, and the invocation fails with its error: a queue message is then retried, a timer run is reported failed.
 */
export function lazyHandler<Args extends unknown[], R>(
  load: () => Promise<HandlerModule<Args, R>>,
): (...args: Args) => Promise<R> {
  let loading: Promise<HandlerModule<Args, R>> | undefined;
  return async (...args) => {
    loading ??= load().catch((e: unknown) => {
      loading = undefined;
      throw e;
    });
    return (await loading).handler(...args);
  };
}

/** For HTTP triggers: a handler that cannot be loaded still answers (a 500 through `guarded`), never leaves a caller waiting. */
export function lazyHttpHandler<Request, Context extends AnswerContext>(
  load: () => Promise<HandlerModule<[Request, Context], HttpAnswer>>,
): (request: Request, context: Context) => Promise<HttpAnswer> {
  const handler = lazyHandler(load);
  return (request, context) => guarded(context, () => handler(request, context));
}
