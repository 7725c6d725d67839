import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';

import { createCredential } from '../../../shared/azureCredential';
import {
  describeStorageConnection,
  readStorageConnection,
  type StorageConnectionResult,
} from '../../../shared/storage/connection';

const CLIENT_ID = '0b6f1e2a-8c1d-4a53-9f0e-6b2c1d3e4f50';
const IDENTITY_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-leads/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-leads';

function problems(result: StorageConnectionResult): string[] {
  return result.ok ? [] : result.problems.map((p) => p.message);
}

function named(result: StorageConnectionResult): string[][] {
  return result.ok ? [] : result.problems.map((p) => p.settings);
}

describe('storage connection settings', () => {
  test('a connection string is used as it is', () => {
    expect(readStorageConnection({ AzureWebJobsStorage: ' UseDevelopmentStorage=true ' })).toEqual({
      ok: true,
      connection: { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' },
    });
  });

  test('an account name gives the public-cloud service URLs; managedidentity with a client id names the identity', () => {
    expect(
      readStorageConnection({
        AzureWebJobsStorage__accountName: 'stleads01',
        AzureWebJobsStorage__credential: 'managedidentity',
        AzureWebJobsStorage__clientId: CLIENT_ID,
      }),
    ).toEqual({
      ok: true,
      connection: {
        kind: 'identity',
        queueServiceUrl: 'https://stleads01.queue.core.windows.net',
        tableServiceUrl: 'https://stleads01.table.core.windows.net',
        blobServiceUrl: 'https://stleads01.blob.core.windows.net',
        credential: { kind: 'managedIdentity', clientId: CLIENT_ID, resourceId: undefined },
      },
    });
  });

  test('service URIs (what the Bicep sets) are used as given, and win over the account name for their service', () => {
    const result = readStorageConnection({
      AzureWebJobsStorage__accountName: 'stleads01',
      AzureWebJobsStorage__queueServiceUri: 'https://127.0.0.1:10001/devstoreaccount1/',
      AzureWebJobsStorage__tableServiceUri: 'https://stleads01.table.core.chinacloudapi.cn',
      AzureWebJobsStorage__credential: 'ManagedIdentity',
    });
    expect(result).toEqual({
      ok: true,
      connection: {
        kind: 'identity',
        queueServiceUrl: 'https://127.0.0.1:10001/devstoreaccount1',
        tableServiceUrl: 'https://stleads01.table.core.chinacloudapi.cn',
        blobServiceUrl: 'https://stleads01.blob.core.windows.net',
        credential: { kind: 'managedIdentity', clientId: undefined, resourceId: undefined },
      },
    });
  });

  test('without __credential the developer sign-in is used, with the client id as a hint for a managed identity', () => {
    const result = readStorageConnection({
      AzureWebJobsStorage__queueServiceUri: 'https://stleads01.queue.core.windows.net',
      AzureWebJobsStorage__tableServiceUri: 'https://stleads01.table.core.windows.net',
      AzureWebJobsStorage__clientId: CLIENT_ID,
    });
    expect(result.ok && result.connection.kind === 'identity' && result.connection.credential).toEqual({
      kind: 'default',
      managedIdentityClientId: CLIENT_ID,
    });
  });

  test('a user-assigned identity can be named by its resource id', () => {
    const result = readStorageConnection({
      AzureWebJobsStorage__accountName: 'stleads01',
      AzureWebJobsStorage__credential: 'managedidentity',
      AzureWebJobsStorage__managedIdentityResourceId: IDENTITY_ID,
    });
    expect(result.ok && result.connection.kind === 'identity' && result.connection.credential).toEqual({
      kind: 'managedIdentity',
      clientId: undefined,
      resourceId: IDENTITY_ID,
    });
  });

  test('nothing set names the setting and both ways to set it', () => {
    expect(problems(readStorageConnection({ AzureWebJobsStorage: '  ' }))).toEqual([
      expect.stringMatching(
        /^AzureWebJobsStorage is missing: .*connection string.*AzureWebJobsStorage__accountName.*__queueServiceUri and AzureWebJobsStorage__tableServiceUri/,
      ),
    ]);
  });

  test('a connection string and identity settings together are refused, naming both', () => {
    const result = readStorageConnection({
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      AzureWebJobsStorage__accountName: 'stleads01',
      AzureWebJobsStorage__credential: 'managedidentity',
    });
    expect(named(result)).toEqual([
      ['AzureWebJobsStorage', 'AzureWebJobsStorage__accountName', 'AzureWebJobsStorage__credential'],
    ]);
    expect(problems(result)).toEqual([
      'AzureWebJobsStorage (a connection string) and AzureWebJobsStorage__accountName, AzureWebJobsStorage__credential are both set: keep the connection string, or remove it to connect with an identity',
    ]);
  });

  test('every inconsistent identity setting is named, each with what is expected', () => {
    const result = readStorageConnection({
      AzureWebJobsStorage__queueServiceUri: 'http://stleads01.queue.core.windows.net',
      AzureWebJobsStorage__blobServiceUri: 'not a url',
      AzureWebJobsStorage__credential: 'clientsecret',
      AzureWebJobsStorage__clientId: 'leads-identity',
      AzureWebJobsStorage__managedIdentityResourceId: '/subscriptions/x',
      AzureWebJobsStorage__clientSecret: 'hunter2',
      AzureWebJobsStorage__tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    });
    const found = problems(result);
    expect(named(result)).toEqual([
      ['AzureWebJobsStorage__queueServiceUri'],
      ['AzureWebJobsStorage__blobServiceUri'],
      ['AzureWebJobsStorage__tableServiceUri'],
      ['AzureWebJobsStorage__clientId'],
      ['AzureWebJobsStorage__managedIdentityResourceId'],
      ['AzureWebJobsStorage__clientId', 'AzureWebJobsStorage__managedIdentityResourceId'],
      ['AzureWebJobsStorage__clientSecret'],
      ['AzureWebJobsStorage__tenantId'],
      ['AzureWebJobsStorage__credential'],
    ]);
    expect(found).toEqual([
      expect.stringMatching(/^AzureWebJobsStorage__queueServiceUri is "http:.*": expected an https URL/),
      expect.stringMatching(/^AzureWebJobsStorage__blobServiceUri is "not a url": expected a URL/),
      expect.stringMatching(/^AzureWebJobsStorage__tableServiceUri is missing: the app uses Table Storage/),
      expect.stringMatching(/^AzureWebJobsStorage__clientId is "leads-identity": expected the client id \(a GUID\)/),
      expect.stringMatching(/^AzureWebJobsStorage__managedIdentityResourceId is "\/subscriptions\/x": expected/),
      'AzureWebJobsStorage__clientId and AzureWebJobsStorage__managedIdentityResourceId are both set: name the identity one way',
      expect.stringMatching(/^AzureWebJobsStorage__clientSecret is set: .*never with a client secret/),
      expect.stringMatching(/^AzureWebJobsStorage__tenantId is set: /),
      expect.stringMatching(/^AzureWebJobsStorage__credential is "clientsecret": expected "managedidentity"/),
    ]);
    // The secret's value never appears in a problem: problems are logged.
    expect(found.join('\n')).not.toContain('hunter2');
  });

  test('a malformed account name is named once, not again as missing services', () => {
    expect(problems(readStorageConnection({ AzureWebJobsStorage__accountName: 'St-Leads' }))).toEqual([
      'AzureWebJobsStorage__accountName is "St-Leads": expected a storage account name (3-24 lower-case letters and digits)',
    ]);
  });

  test('a service URI with a SAS query is refused: a SAS belongs in a connection string', () => {
    expect(
      problems(
        readStorageConnection({
          AzureWebJobsStorage__queueServiceUri: 'https://stleads01.queue.core.windows.net/?sv=2024&sig=abc',
          AzureWebJobsStorage__tableServiceUri: 'https://stleads01.table.core.windows.net',
        }),
      ),
    ).toEqual([expect.stringMatching(/^AzureWebJobsStorage__queueServiceUri is .*without a query/)]);
  });

  test('another connection name reads its own prefix', () => {
    const result = readStorageConnection(
      { LeadStorage__accountName: 'stleads02', AzureWebJobsStorage: 'UseDevelopmentStorage=true' },
      'LeadStorage',
    );
    expect(result.ok && result.connection.kind === 'identity' && result.connection.queueServiceUrl).toBe(
      'https://stleads02.queue.core.windows.net',
    );
  });

  test('descriptions for logs name the place and the identity, never a key', () => {
    const key = 'c2VjcmV0LWFjY291bnQta2V5';
    expect(
      describeStorageConnection({
        kind: 'connectionString',
        connectionString: `DefaultEndpointsProtocol=https;AccountName=stleads01;AccountKey=${key};EndpointSuffix=core.windows.net`,
      }),
    ).toBe('storage account stleads01 via connection string');
    expect(
      describeStorageConnection({ kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' }),
    ).toBe('development storage (Azurite) via connection string');
    const identity = readStorageConnection({
      AzureWebJobsStorage__accountName: 'stleads01',
      AzureWebJobsStorage__credential: 'managedidentity',
      AzureWebJobsStorage__clientId: CLIENT_ID,
    });
    if (!identity.ok) throw new Error(problems(identity).join('; '));
    expect(describeStorageConnection(identity.connection)).toBe(
      `queues at https://stleads01.queue.core.windows.net, tables at https://stleads01.table.core.windows.net, signed in with managed identity with client id ${CLIENT_ID}`,
    );
  });
});

describe('credential factory', () => {
  test('managedidentity gives a ManagedIdentityCredential; anything else DefaultAzureCredential', () => {
    expect(createCredential({ kind: 'managedIdentity', clientId: CLIENT_ID })).toBeInstanceOf(
      ManagedIdentityCredential,
    );
    expect(createCredential({ kind: 'managedIdentity', resourceId: IDENTITY_ID })).toBeInstanceOf(
      ManagedIdentityCredential,
    );
    expect(createCredential({ kind: 'managedIdentity' })).toBeInstanceOf(ManagedIdentityCredential);
    expect(createCredential({ kind: 'default', managedIdentityClientId: CLIENT_ID })).toBeInstanceOf(
      DefaultAzureCredential,
    );
  });

  test('an identity named two ways is refused rather than one silently winning', () => {
    expect(() => createCredential({ kind: 'managedIdentity', clientId: CLIENT_ID, resourceId: IDENTITY_ID })).toThrow(
      'client id or its resource id, not both',
    );
  });
});
