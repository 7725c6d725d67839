/**
 * The one way the app gets Microsoft Entra tokens (storage, Graph, Communication Services, Application Insights).
 *
 * In Azure the app names its user-assigned managed identity and uses ManagedIdentityCredential: no probing, no
 * fallback to another identity, a clear error when the identity is missing. Anywhere else (a developer's machine,
 * CI) DefaultAzureCredential picks up `az login`, azd or environment credentials.
 */
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';

export type CredentialChoice =
  /** A managed identity: user-assigned by client id or resource id, else the system-assigned one. */
  | { kind: 'managedIdentity'; clientId?: string; resourceId?: string }
  /** The developer's sign-in (or environment credentials); a managed identity client id if one is known. */
  | { kind: 'default'; managedIdentityClientId?: string };

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

/** For logs: which identity, never a token. */
export function describeCredential(choice: CredentialChoice): string {
  if (choice.kind === 'default') return 'DefaultAzureCredential (developer sign-in or environment credentials)';
  if (choice.resourceId !== undefined) return `managed identity ${choice.resourceId}`;
  if (choice.clientId !== undefined) return `managed identity with client id ${choice.clientId}`;
  return 'system-assigned managed identity';
}
