/**
 * Storage clients built from the one connection string. Retries are short on purpose: the HTTP trigger must answer
 * Microsoft quickly, and a 503 lets the sender retry, which beats a 230-second load-balancer timeout.
 *
 * Every request carries a deadline (deadline.ts), applied by a pipeline policy so no call can forget one: the SDKs'
 * own timeouts (`tryTimeoutInMs`, the service's `timeout`) only bound the time the service spends, and a storage
 * endpoint that stops answering (a black hole, a frozen emulator) would otherwise hold the caller forever.
 */
import { TableClient, TableServiceClient, type TableServiceClientOptions } from '@azure/data-tables';
import {
  AnonymousCredential,
  newPipeline,
  QueueClient,
  QueueServiceClient,
  type StoragePipelineOptions,
  StorageRetryPolicyType,
  StorageSharedKeyCredential,
} from '@azure/storage-queue';

import { queueCallCountFactory, tableCallCountPolicy } from './callCount';
import { queueDeadlineFactory, STORAGE_DEADLINES, tableDeadlinePolicy } from './deadline';

const QUEUE_OPTIONS: StoragePipelineOptions = {
  retryOptions: {
    retryPolicyType: StorageRetryPolicyType.EXPONENTIAL,
    maxTries: 3,
    retryDelayInMs: 200,
    maxRetryDelayInMs: 1000,
    tryTimeoutInMs: 5000,
  },
};

const TABLE_OPTIONS: TableServiceClientOptions = {
  retryOptions: { maxRetries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 1000 },
  // Azurite serves plain HTTP on loopback; the SDK refuses shared-key auth over HTTP unless told otherwise.
  allowInsecureConnection: true,
};

// The emulator's well-known development account key: public, documented, accepted by nothing but the emulator.
const DEVELOPMENT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

function connectionStringValue(connectionString: string, name: string): string | undefined {
  for (const part of connectionString.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * A queue service whose pipeline carries the deadline policy. The queue SDK takes extra policies only on a pipeline
 * built with `newPipeline`, so the client is built from the URL and credential the connection string names; the
 * SDK's own parser supplies the URL (endpoints, SAS, development storage) and the account.
 */
function queueService(connectionString: string, deadlineMs: number): QueueServiceClient {
  const parsed = QueueServiceClient.fromConnectionString(connectionString, QUEUE_OPTIONS);
  const key =
    connectionStringValue(connectionString, 'AccountKey') ??
    (connectionStringValue(connectionString, 'UseDevelopmentStorage') === 'true' ? DEVELOPMENT_KEY : undefined);
  // Without a key the connection string is a SAS one, and the SAS is already part of the URL.
  const credential = key ? new StorageSharedKeyCredential(parsed.accountName, key) : new AnonymousCredential();
  const pipeline = newPipeline(credential, QUEUE_OPTIONS);
  pipeline.factories.push(queueDeadlineFactory(deadlineMs), queueCallCountFactory());
  return new QueueServiceClient(parsed.url, pipeline);
}

/** `deadlineMs` bounds each storage request; callers that answer a person or Microsoft pass a shorter one. */
export function queueClient(
  connectionString: string,
  queueName: string,
  deadlineMs: number = STORAGE_DEADLINES.request,
): QueueClient {
  return queueService(connectionString, deadlineMs).getQueueClient(queueName);
}

export function tableClient(
  connectionString: string,
  tableName: string,
  deadlineMs: number = STORAGE_DEADLINES.request,
): TableClient {
  return TableClient.fromConnectionString(connectionString, tableName, {
    ...TABLE_OPTIONS,
    // Per call, outside the retry policy: the deadline bounds the whole operation, retries included.
    additionalPolicies: [
      { policy: tableDeadlinePolicy(deadlineMs), position: 'perCall' },
      // Per retry: every request on the wire counts (callCount.ts; off unless a benchmark or test counts).
      { policy: tableCallCountPolicy(), position: 'perRetry' },
    ],
  });
}

/** The account's table service (listing tables by name), with the same deadline and counting as a table client. */
export function tableServiceClient(
  connectionString: string,
  deadlineMs: number = STORAGE_DEADLINES.request,
): TableServiceClient {
  return TableServiceClient.fromConnectionString(connectionString, {
    ...TABLE_OPTIONS,
    additionalPolicies: [
      { policy: tableDeadlinePolicy(deadlineMs), position: 'perCall' },
      { policy: tableCallCountPolicy(), position: 'perRetry' },
    ],
  });
}

/** Creates a resource once per process; concurrent first callers share the one attempt, a failure is retried. */
export function once(create: () => Promise<unknown>): () => Promise<void> {
  let pending: Promise<void> | undefined;
  return () => {
    pending ??= create().then(
      () => undefined,
      (e: unknown) => {
        pending = undefined;
        throw e;
      },
    );
    return pending;
  };
}
