/**
 * Where the app's storage is and how it authenticates, read from the same settings the Functions host reads for
 * its own storage (the identity-based connection convention), so one set of settings serves the host's queue
 * trigger, the app's clients and the operator scripts:
 *
 *  - `AzureWebJobsStorage`: a connection string (account key, SAS, or `UseDevelopmentStorage=true`); or
 *  - `AzureWebJobsStorage__accountName` (public cloud), and/or `__queueServiceUri` / `__tableServiceUri` /
 *    `__blobServiceUri` (any cloud, custom domains, Azurite over HTTPS), with
 *    `__credential=managedidentity` and `__clientId` (or `__managedIdentityResourceId`) in Azure.
 *    Without `__credential` the token comes from DefaultAzureCredential (a developer's `az login`).
 *
 * Pure: reads a settings object, returns a description or the problems, one per setting, naming it.
 */
import type { SettingProblem } from '../config/checked';
import { isUnresolvedKeyVaultReference, unresolvedReference } from '../config/keyVault';
import { type CredentialChoice, describeCredential } from '../credentialChoice';

export type StorageConnection =
  | { kind: 'connectionString'; connectionString: string }
  | {
      kind: 'identity';
      queueServiceUrl: string;
      tableServiceUrl: string;
      /** The host stores its own state in blobs; the app itself never uses them. */
      blobServiceUrl?: string;
      credential: CredentialChoice;
    };

export type StorageConnectionResult =
  { ok: true; connection: StorageConnection } | { ok: false; problems: SettingProblem[] };

type Settings = Record<string, string | undefined>;

const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IDENTITY_RESOURCE_ID =
  /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.managedidentity\/userassignedidentities\/[^/]+$/i;

/** Suffixes the Functions host understands for an identity-based connection. */
const SERVICES = ['queue', 'table', 'blob'] as const;
type Service = (typeof SERVICES)[number];

// Settings of the convention this app deliberately does not support: client secrets and certificates are the
// keys this design exists to remove.
const UNSUPPORTED = ['clientSecret', 'certificate', 'tenantId'] as const;

/** Collects problems, each naming its settings. */
class Problems {
  readonly list: SettingProblem[] = [];
  push(settings: string | string[], message: string): void {
    this.list.push({ settings: Array.isArray(settings) ? settings : [settings], message });
  }
}

function value(settings: Settings, name: string): string | undefined {
  const text = settings[name]?.trim();
  return text === undefined || text === '' ? undefined : text;
}

function serviceUrl(name: string, text: string, problems: Problems): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.push(name, `${name} is "${text}": expected a URL such as https://<account>.queue.core.windows.net`);
    return undefined;
  }
  if (url.protocol !== 'https:') {
    problems.push(name, `${name} is "${text}": expected an https URL (tokens are never sent over plain HTTP)`);
    return undefined;
  }
  if (url.search !== '' || url.hash !== '') {
    problems.push(
      name,
      `${name} is "${text}": expected the service URL alone, without a query (a SAS belongs in a connection string)`,
    );
    return undefined;
  }
  return url.toString().replace(/\/+$/, '');
}

function readCredential(settings: Settings, prefix: string, problems: Problems): CredentialChoice {
  const credential = value(settings, `${prefix}__credential`);
  const clientId = value(settings, `${prefix}__clientId`);
  const resourceId = value(settings, `${prefix}__managedIdentityResourceId`);
  if (clientId !== undefined && !GUID.test(clientId)) {
    problems.push(
      `${prefix}__clientId`,
      `${prefix}__clientId is "${clientId}": expected the client id (a GUID) of a user-assigned identity`,
    );
  }
  if (resourceId !== undefined && !IDENTITY_RESOURCE_ID.test(resourceId)) {
    problems.push(
      `${prefix}__managedIdentityResourceId`,
      `${prefix}__managedIdentityResourceId is "${resourceId}": expected /subscriptions/…/resourceGroups/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>`,
    );
  }
  if (clientId !== undefined && resourceId !== undefined) {
    problems.push(
      [`${prefix}__clientId`, `${prefix}__managedIdentityResourceId`],
      `${prefix}__clientId and ${prefix}__managedIdentityResourceId are both set: name the identity one way`,
    );
  }
  for (const suffix of UNSUPPORTED) {
    if (value(settings, `${prefix}__${suffix}`) !== undefined) {
      problems.push(
        `${prefix}__${suffix}`,
        `${prefix}__${suffix} is set: this app connects with a managed identity in Azure (${prefix}__credential=managedidentity) or your own sign-in locally (az login), never with a client secret or certificate`,
      );
    }
  }
  if (credential === undefined) {
    if (resourceId !== undefined) {
      problems.push(
        [`${prefix}__managedIdentityResourceId`, `${prefix}__credential`],
        `${prefix}__managedIdentityResourceId needs ${prefix}__credential=managedidentity`,
      );
    }
    return clientId === undefined ? { kind: 'default' } : { kind: 'default', managedIdentityClientId: clientId };
  }
  if (credential.toLowerCase() !== 'managedidentity') {
    problems.push(
      `${prefix}__credential`,
      `${prefix}__credential is "${credential}": expected "managedidentity" (or leave it unset to use your own sign-in locally)`,
    );
  }
  return { kind: 'managedIdentity', clientId, resourceId };
}

/**
 * Reads the connection named `prefix` (default `AzureWebJobsStorage`, as the queue trigger's `connection`).
 * The app needs the queue and table services; blob is read when given but never required.
 */
export function readStorageConnection(settings: Settings, prefix = 'AzureWebJobsStorage'): StorageConnectionResult {
  const references = Object.keys(settings)
    .filter(
      (name) => (name === prefix || name.startsWith(`${prefix}__`)) && isUnresolvedKeyVaultReference(settings[name]),
    )
    .sort();
  if (references.length > 0) return { ok: false, problems: references.map(unresolvedReference) };
  const problems = new Problems();
  const connectionString = value(settings, prefix);
  const accountName = value(settings, `${prefix}__accountName`);
  const explicit = new Map<Service, string>();
  for (const service of SERVICES) {
    const text = value(settings, `${prefix}__${service}ServiceUri`);
    if (text !== undefined) explicit.set(service, text);
  }
  const identitySettings = Object.keys(settings).filter(
    (name) => name.startsWith(`${prefix}__`) && value(settings, name) !== undefined,
  );

  if (connectionString !== undefined) {
    if (identitySettings.length > 0) {
      return {
        ok: false,
        problems: [
          {
            settings: [prefix, ...identitySettings.sort()],
            message: `${prefix} (a connection string) and ${identitySettings.join(', ')} are both set: keep the connection string, or remove it to connect with an identity`,
          },
        ],
      };
    }
    return { ok: true, connection: { kind: 'connectionString', connectionString } };
  }

  if (identitySettings.length === 0) {
    return {
      ok: false,
      problems: [
        {
          settings: [prefix],
          message: `${prefix} is missing: expected a storage connection string (UseDevelopmentStorage=true for Azurite), or ${prefix}__accountName (or ${prefix}__queueServiceUri and ${prefix}__tableServiceUri) to connect with an identity`,
        },
      ],
    };
  }

  if (accountName !== undefined && !ACCOUNT_NAME.test(accountName)) {
    problems.push(
      `${prefix}__accountName`,
      `${prefix}__accountName is "${accountName}": expected a storage account name (3-24 lower-case letters and digits)`,
    );
  }
  const urls = new Map<Service, string>();
  for (const service of SERVICES) {
    const text = explicit.get(service);
    // An explicit URI wins over the account name for its service, as in the Functions host.
    const url =
      text !== undefined
        ? serviceUrl(`${prefix}__${service}ServiceUri`, text, problems)
        : accountName !== undefined && ACCOUNT_NAME.test(accountName)
          ? `https://${accountName}.${service}.core.windows.net`
          : undefined;
    if (url !== undefined) urls.set(service, url);
  }
  for (const service of ['queue', 'table'] as const) {
    if (urls.has(service) || explicit.has(service) || accountName !== undefined) continue;
    problems.push(
      `${prefix}__${service}ServiceUri`,
      `${prefix}__${service}ServiceUri is missing: the app uses ${service === 'queue' ? 'Queue' : 'Table'} Storage; set it, or ${prefix}__accountName for an account in the public cloud`,
    );
  }
  const credential = readCredential(settings, prefix, problems);
  const queueServiceUrl = urls.get('queue');
  const tableServiceUrl = urls.get('table');
  if (problems.list.length > 0 || queueServiceUrl === undefined || tableServiceUrl === undefined) {
    return { ok: false, problems: problems.list };
  }
  return {
    ok: true,
    connection: { kind: 'identity', queueServiceUrl, tableServiceUrl, blobServiceUrl: urls.get('blob'), credential },
  };
}

/** For logs: where storage is and how the app signs in; never a key or SAS. */
export function describeStorageConnection(connection: StorageConnection): string {
  if (connection.kind === 'identity') {
    return `queues at ${connection.queueServiceUrl}, tables at ${connection.tableServiceUrl}, signed in with ${describeCredential(connection.credential)}`;
  }
  if (/(^|;)\s*UseDevelopmentStorage\s*=\s*true\s*(;|$)/i.test(connection.connectionString)) {
    return 'development storage (Azurite) via connection string';
  }
  const account = /(?:^|;)\s*AccountName\s*=\s*([^;]+)/i.exec(connection.connectionString)?.[1]?.trim();
  return `storage account ${account ?? '(named by its endpoints)'} via connection string`;
}
