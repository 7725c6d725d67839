/** Where the app keeps things: the storage account, the lead queue and the table names. */
import { TableClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';

import { readStorageConnection, type StorageConnection } from '../storage/connection';
import type { Checked } from './checked';
import { type Env, readGroup } from './reader';

export interface StorageSettings {
  /** A connection string, or service URLs and an identity (shared/storage/connection.ts). */
  storageConnection: StorageConnection;
}

export interface QueueSettings {
  queueName: string;
  poisonQueueName: string;
}

/**
 * How every queue trigger of the app retries (host.json's extensions.queues, or the app settings that override it):
 * one group of its own, so a bad lead queue name stops only what uses that queue, not the alert and hand-off queues'
 * functions, which read these too.
 */
export interface QueueTriesSettings {
  /** The queue trigger's tries before a message is poisoned. */
  maxDequeueCount: number;
  /** How long the queue waits before it retries a failed message (visibilityTimeout). */
  queueRetrySeconds: number;
}

export interface TableSettings {
  tables: {
    /** The time-ordered index of records (docs/storage.md): a copy of each record, partitioned by month. */
    listing: string;
    leadKeys: string;
    /** Each lead's partition: its events and its record (row `record`). */
    events: string;
    /** Records changed since the listing index last caught up with them. */
    changes: string;
    /** The stats counters, copied from the listing's month partitions so one small query reads them all. */
    counters: string;
    followUps: string;
    rejected: string;
    locks: string;
    poisoned: string;
    /** Burst state per alert recipient, and the alerts held for a digest. */
    alertBursts: string;
    /** What each alert (or digest) sent, by channel and recipient: a redelivered message sends nothing twice. */
    alertsSent: string;
    /** The newest record version handed off to the CRM, per lead. */
    handOffs: string;
    /** Small rows of the app's own state: the silence alarm. */
    opsState: string;
    /** The accounts index: each account's people (partition: the account's hash; row: the lead id). */
    accountPeople: string;
    /** The search index: listed records by name, company, email prefix and by status (sell/search/searchKeys.ts). */
    search: string;
  };
}

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
// 57, not 63: the poison queue's name adds "-poison".
export const QUEUE_NAME = /^(?!-)(?!.*--)[a-z0-9-]{3,57}(?<!-)$/;
const DEFAULT_QUEUE_NAME = 'leads-incoming';
export const QUEUE_NAME_RULE = 'a queue name of 3-57 lower-case letters, digits and single hyphens';

const CONNECTION_STRING = 'a storage connection string (UseDevelopmentStorage=true for Azurite)';

/** Whether both storage SDKs can build a client from it; the SDK's message is not kept, it can quote the key. */
function parses(connectionString: string): boolean {
  try {
    QueueServiceClient.fromConnectionString(connectionString);
    TableClient.fromConnectionString(connectionString, 'probe');
    return true;
  } catch {
    return false;
  }
}

/** The settings the Functions host reads for its own storage: a connection string, or an identity-based connection. */
export function readStorage(env: Env): Checked<StorageSettings> {
  const read = readStorageConnection(env);
  if (!read.ok) return read;
  const storageConnection = read.connection;
  if (storageConnection.kind === 'connectionString' && !parses(storageConnection.connectionString)) {
    const message = `AzureWebJobsStorage is not usable: expected ${CONNECTION_STRING}`;
    return { ok: false, problems: [{ settings: ['AzureWebJobsStorage'], message }] };
  }
  return { ok: true, value: { storageConnection } };
}

/**
 * The queue the trigger binds to, needed at registration: the setting as written (the host checks it; a name it
 * refuses disables only processLead, see local-host/README.md), or the default when unset.
 */
export function queueBindingName(env: Env): string {
  return env.LEADS_QUEUE_NAME?.trim() || DEFAULT_QUEUE_NAME;
}

export function readQueue(env: Env): Checked<QueueSettings> {
  return readGroup(env, (r) => {
    const queueName = r.matching('LEADS_QUEUE_NAME', DEFAULT_QUEUE_NAME, QUEUE_NAME, QUEUE_NAME_RULE);
    return { queueName, poisonQueueName: `${queueName}-poison` };
  });
}

export function readQueueTries(env: Env): Checked<QueueTriesSettings> {
  return readGroup(env, (r) => ({
    // Keep the default in step with host.json (extensions.queues.maxDequeueCount).
    maxDequeueCount: r.number('AzureFunctionsJobHost__extensions__queues__maxDequeueCount', 5, 1, 100),
    // Likewise with extensions.queues.visibilityTimeout (00:00:10).
    queueRetrySeconds: r.timeSpanSeconds('AzureFunctionsJobHost__extensions__queues__visibilityTimeout', 10),
  }));
}

export function readTables(env: Env): Checked<TableSettings> {
  return readGroup(env, (r) => {
    // A prefix lets several installations (or test runs) share one storage account.
    const prefix = r.raw('TABLE_NAME_PREFIX') ?? '';
    // The longest name is RejectedLeads: if it fits, all do.
    if (!TABLE_NAME.test(`${prefix}RejectedLeads`)) {
      r.problem(
        'TABLE_NAME_PREFIX',
        `TABLE_NAME_PREFIX is "${prefix}": expected up to 50 letters and digits, starting with a letter (table names are 3-63)`,
      );
    }
    const table = (name: string): string => `${prefix}${name}`;
    return {
      tables: {
        listing: table('LeadListing'),
        leadKeys: table('LeadKeys'),
        events: table('LeadEvents'),
        changes: table('LeadChanges'),
        counters: table('LeadCounters'),
        followUps: table('FollowUps'),
        rejected: table('RejectedLeads'),
        locks: table('Locks'),
        poisoned: table('PoisonedLeads'),
        alertBursts: table('AlertBursts'),
        alertsSent: table('AlertsSent'),
        handOffs: table('HandOffs'),
        opsState: table('OpsState'),
        accountPeople: table('AccountPeople'),
        search: table('LeadSearch'),
      },
    };
  });
}
