/**
 * Storage clients built from the app's storage connection (connection.ts): a connection string, or the service URLs
 * and the identity the app signs in with (a token from its managed identity in Azure; no account key anywhere).
 * Retries are short on purpose: the HTTP trigger must answer Microsoft quickly, and a 503 lets the sender retry,
 * which beats a 230-second load-balancer timeout.
 *
 * Every request carries a deadline (deadline.ts), applied by a pipeline policy so no call can forget one: the SDKs'
 * own timeouts (`tryTimeoutInMs`, the service's `timeout`) only bound the time the service spends, and a storage
 * endpoint that stops answering (a black hole, a frozen emulator) would otherwise hold the caller forever.
 */
import { tracingPolicyName } from '@azure/core-rest-pipeline';
import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import {
  AnonymousCredential,
  newPipeline,
  QueueClient,
  QueueServiceClient,
  type StoragePipelineOptions,
  StorageRetryPolicyType,
  StorageSharedKeyCredential,
} from '@azure/storage-queue';

import type { CredentialChoice } from '../credentialChoice';
import { queueCallCountFactory, tableCallCountPolicy } from './callCount';
import type { StorageConnection } from './connection';
import { queueDeadlineFactory, STORAGE_DEADLINES, tableDeadlinePolicy } from './deadline';

/**
 * @azure/identity (with MSAL) is loaded for an identity-based connection only: with a connection string, the lead
 * POST's first answer never waits for it (cold start, shared/lazyHandler.ts).
 */
function tokenCredential(choice: CredentialChoice): TokenCredential {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- on first use, synchronously: clients are built synchronously
  const { credentialFor } = require('../azureCredential') as typeof import('../azureCredential');
  return credentialFor(choice);
}

const QUEUE_OPTIONS: StoragePipelineOptions = {
  retryOptions: {
    retryPolicyType: StorageRetryPolicyType.EXPONENTIAL,
    maxTries: 3,
    retryDelayInMs: 200,
    maxRetryDelayInMs: 1000,
    tryTimeoutInMs: 5000,
  },
};

const TABLE_RETRIES: TableServiceClientOptions['retryOptions'] = {
  maxRetries: 2,
  retryDelayInMs: 200,
  maxRetryDelayInMs: 1000,
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
 * built with `newPipeline`, so the client is built from a URL and a credential: the service URL and the identity's
 * token credential, or what a connection string names (the SDK's own parser supplies the URL: endpoints, SAS,
 * development storage).
 */
function queueService(connection: StorageConnection, deadlineMs: number): QueueServiceClient {
  let url: string;
  let credential: StorageSharedKeyCredential | AnonymousCredential | TokenCredential;
  if (connection.kind === 'identity') {
    url = connection.queueServiceUrl;
    credential = tokenCredential(connection.credential);
  } else {
    const { connectionString } = connection;
    const parsed = QueueServiceClient.fromConnectionString(connectionString, QUEUE_OPTIONS);
    const key =
      connectionStringValue(connectionString, 'AccountKey') ??
      (connectionStringValue(connectionString, 'UseDevelopmentStorage') === 'true' ? DEVELOPMENT_KEY : undefined);
    url = parsed.url;
    // Without a key the connection string is a SAS one, and the SAS is already part of the URL.
    credential = key ? new StorageSharedKeyCredential(parsed.accountName, key) : new AnonymousCredential();
  }
  const pipeline = newPipeline(credential, QUEUE_OPTIONS);
  pipeline.factories.push(queueDeadlineFactory(deadlineMs), queueCallCountFactory());
  return new QueueServiceClient(url, pipeline);
}

/** `deadlineMs` bounds each storage request; callers that answer a person or Microsoft pass a shorter one. */
export function queueClient(
  connection: StorageConnection,
  queueName: string,
  deadlineMs: number = STORAGE_DEADLINES.request,
): QueueClient {
  return queueService(connection, deadlineMs).getQueueClient(queueName);
}

export function tableClient(
  connection: StorageConnection,
  tableName: string,
  deadlineMs: number = STORAGE_DEADLINES.request,
): TableClient {
  const options: TableServiceClientOptions = {
    retryOptions: TABLE_RETRIES,
    // Per call, outside the retry policy: the deadline bounds the whole operation, retries included.
    additionalPolicies: [
      { policy: tableDeadlinePolicy(deadlineMs), position: 'perCall' },
      // Per retry: every request on the wire counts (callCount.ts; off unless a benchmark or test counts).
      { policy: tableCallCountPolicy(), position: 'perRetry' },
    ],
  };
  const client =
    connection.kind === 'identity'
      ? // Tokens only ever travel over HTTPS: connection.ts refuses an http service URL.
        new TableClient(connection.tableServiceUrl, tableName, tokenCredential(connection.credential), options)
      : // Azurite serves plain HTTP on loopback; the SDK refuses shared-key auth over HTTP unless told otherwise.
        TableClient.fromConnectionString(connection.connectionString, tableName, {
          ...options,
          allowInsecureConnection: true,
        });
  // The app never records the Azure SDKs' spans (telemetry.ts turns that instrumentation off), yet the policy starts
  // one per request: pure cost on every storage call (docs/storage.md, "Processing throughput").
  client.pipeline.removePolicy({ name: tracingPolicyName });
  return client;
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
