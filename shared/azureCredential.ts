/**
 * The one way the app gets Microsoft Entra tokens (storage, Graph, Communication Services, Application Insights).
 *
 * In Azure the app names its user-assigned managed identity and uses ManagedIdentityCredential: no probing, no
 * fallback to another identity, a clear error when the identity is missing. Anywhere else (a developer's machine,
 * CI) DefaultAzureCredential picks up `az login`, azd or environment credentials.
 */
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';

import type { CredentialChoice } from './credentialChoice';

export function createCredential(choice: CredentialChoice): TokenCredential {
  if (choice.kind === 'managedIdentity') {
    if (choice.clientId !== undefined && choice.resourceId !== undefined) {
      throw new Error('A managed identity is named by its client id or its resource id, not both');
    }
    if (choice.resourceId !== undefined) return new ManagedIdentityCredential({ resourceId: choice.resourceId });
    if (choice.clientId !== undefined) return new ManagedIdentityCredential({ clientId: choice.clientId });
    return new ManagedIdentityCredential();
  }
  return new DefaultAzureCredential(
    choice.managedIdentityClientId === undefined ? {} : { managedIdentityClientId: choice.managedIdentityClientId },
  );
}

const shared = new Map<string, TokenCredential>();

/**
 * One credential per identity for the whole process: every storage client, the mailer and telemetry share its
 * token cache, and DefaultAzureCredential probes its sources once, not once per client.
 */
export function credentialFor(choice: CredentialChoice): TokenCredential {
  const key = JSON.stringify(
    choice.kind === 'managedIdentity'
      ? [choice.kind, choice.clientId, choice.resourceId]
      : [choice.kind, choice.managedIdentityClientId],
  );
  let credential = shared.get(key);
  if (credential === undefined) {
    credential = createCredential(choice);
    shared.set(key, credential);
  }
  return credential;
}
