/**
 * What an HTTP handler in shared/ answers: the slice of @azure/functions' HttpResponseInit this app uses, so domain
 * code does not depend on the Functions library. functions/*.ts return it as it is (the types are compatible).
 */
import type { Readable } from 'node:stream';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  /** Serialised as JSON by the library. */
  jsonBody?: unknown;
  /** Text, or a stream the host relays as it is written (index.ts switches HTTP streaming on). */
  body?: string | Readable;
}

/** The part of an invocation's context that answering needs: where to log, and the id to look the log up by. */
export interface AnswerContext {
  readonly invocationId: string;
  error(...args: unknown[]): void;
}
