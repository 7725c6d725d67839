/**
 * Client-side deadlines for storage requests. The pipeline's HTTP client listens to the request's abort signal and
 * destroys the request (and its socket) when it fires, so a storage endpoint that stops answering costs a caller at
 * most its deadline, never a hung invocation. Applied per call, outside the SDKs' retry policies, so the deadline
 * bounds an operation with all its retries; an aborted request is not retried.
 */
import type { TableServiceClientOptions } from '@azure/data-tables';
import type { HttpOperationResponse, RequestPolicy, RequestPolicyFactory, WebResource } from '@azure/storage-queue';

/** How long each caller waits for one storage operation. */
export const STORAGE_DEADLINES = {
  /** `POST /api/leads`: a lead that cannot be queued is answered 503 + Retry-After within 5 s. */
  ingest: 4_000,
  /** `GET /api/health`: an uptime probe gets its answer (naming the timeout) within 5 s. */
  health: 3_000,
  /** The sales API, the contact link, erasure: a person is waiting. */
  request: 10_000,
  /** Processing, reminders, keeping poisoned leads, scripts: nobody waits, but nothing waits forever. */
  background: 30_000,
} as const;

/** A storage request that got no complete answer within its deadline. */
export class StorageTimeoutError extends Error {
  readonly code = 'StorageTimeout';
  constructor(
    readonly deadlineMs: number,
    method: string,
  ) {
    super(`Storage did not answer a ${method} request within ${deadlineMs} ms`);
    this.name = 'StorageTimeoutError';
  }
}

export function isStorageTimeout(error: unknown): error is StorageTimeoutError {
  return error instanceof StorageTimeoutError;
}

interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * Sends with a signal that fires at the deadline or when the caller's own signal does, whichever comes first, and
 * answers at the deadline even if what was sent ignores the signal: a token request to a managed-identity endpoint
 * that stops answering does not listen to it, and would otherwise hold the caller for minutes.
 */
async function withDeadline<T>(
  deadlineMs: number,
  method: string,
  callerSignal: AbortSignalLike | undefined,
  send: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Settled before the abort, so the race below reports the deadline, not the abort it causes.
      reject(new StorageTimeoutError(deadlineMs, method));
      controller.abort();
    }, deadlineMs);
  });
  const forward = (): void => controller.abort();
  if (callerSignal?.aborted) controller.abort();
  callerSignal?.addEventListener('abort', forward);
  const sent = send(controller.signal);
  try {
    return await Promise.race([sent, expired]);
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', forward);
    // Whatever the deadline cut short may still settle later; nobody waits for it.
    sent.catch(() => undefined);
    expired.catch(() => undefined);
  }
}

type PipelinePolicy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number]['policy'];

/** For @azure/data-tables (core-rest-pipeline): a per-call policy. */
export function tableDeadlinePolicy(deadlineMs: number): PipelinePolicy {
  return {
    name: 'storageDeadline',
    sendRequest: (request, next) =>
      withDeadline(deadlineMs, request.method, request.abortSignal, (signal) => {
        request.abortSignal = signal;
        return next(request);
      }),
  };
}

/**
 * For @azure/storage-queue, whose clients take extra policies in the form of its `Pipeline` factories; the SDK
 * runs them per call, and the signal set here becomes the request's own.
 */
export function queueDeadlineFactory(deadlineMs: number): RequestPolicyFactory {
  return {
    create: (next: RequestPolicy): RequestPolicy => ({
      sendRequest: (request: WebResource): Promise<HttpOperationResponse> =>
        withDeadline(deadlineMs, request.method, request.abortSignal, (signal) => {
          request.abortSignal = signal;
          return next.sendRequest(request);
        }),
    }),
  };
}
