/**
 * Storage clients built from the one connection string. Retries are short on purpose: the HTTP trigger must answer
 * Microsoft quickly, and a 503 lets the sender retry, which beats a 230-second load-balancer timeout.
 */
import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import {
  QueueClient,
  QueueServiceClient,
  type StoragePipelineOptions,
  StorageRetryPolicyType,
} from '@azure/storage-queue';

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

export function queueClient(connectionString: string, queueName: string): QueueClient {
  return QueueServiceClient.fromConnectionString(connectionString, QUEUE_OPTIONS).getQueueClient(queueName);
}

export function tableClient(connectionString: string, tableName: string): TableClient {
  return TableClient.fromConnectionString(connectionString, tableName, TABLE_OPTIONS);
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
