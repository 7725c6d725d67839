/**
 * Which Microsoft Entra identity the app signs in as, as plain data read from settings: config and logs need it
 * without loading @azure/identity, which only shared/azureCredential.ts does when a token is first needed.
 */
export type CredentialChoice =
  /** A managed identity: user-assigned by client id or resource id, else the system-assigned one. */
  | { kind: 'managedIdentity'; clientId?: string; resourceId?: string }
  /** The developer's sign-in (or environment credentials); a managed identity client id if one is known. */
  | { kind: 'default'; managedIdentityClientId?: string };

/** For logs: which identity, never a token. */
export function describeCredential(choice: CredentialChoice): string {
  if (choice.kind === 'default') return 'DefaultAzureCredential (developer sign-in or environment credentials)';
  if (choice.resourceId !== undefined) return `managed identity ${choice.resourceId}`;
  if (choice.clientId !== undefined) return `managed identity with client id ${choice.clientId}`;
  return 'system-assigned managed identity';
}
