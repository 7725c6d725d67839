/**
 * The one way the app gets Microsoft Entra tokens (storage, Graph, Communication Services, Application Insights).
 *
 * In Azure the app names its user-assigned managed identity and uses ManagedIdentityCredential: no probing, no
 * fallback to another identity, a clear error when the identity is missing. Anywhere else (a developer's machine,
 * CI) DefaultAzureCredential picks up `az login`, azd or environment credentials.
 */
import {
  CredentialUnavailableError,
  DefaultAzureCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from '@azure/identity';

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

/** Longest the app waits for one token; callers with a deadline of their own (storage calls) cut it shorter. */
export const TOKEN_DEADLINE_MS = 30_000;

/**
 * The credential, answering within `deadlineMs`: a managed-identity endpoint that stops answering is not given up on
 * by the credential itself (no timeout, and it ignores abort signals), which would hold a mail send or a telemetry
 * export for minutes.
 */
export function boundedCredential(credential: TokenCredential, deadlineMs: number): TokenCredential {
  return {
    getToken: (scopes, options) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new CredentialUnavailableError(`No token from the app's identity within ${deadlineMs} ms`)),
          deadlineMs,
        );
        credential.getToken(scopes, options).then(
          (token) => {
            clearTimeout(timer);
            resolve(token);
          },
          (error: unknown) => {
            clearTimeout(timer);
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      }),
  };
}

const shared = new Map<string, TokenCredential>();

/**
 * One credential per identity for the whole process, bounded in time: every storage client, the mailer and
 * telemetry share its token cache, and DefaultAzureCredential probes its sources once, not once per client.
 */
export function credentialFor(choice: CredentialChoice): TokenCredential {
  const key = JSON.stringify(
    choice.kind === 'managedIdentity'
      ? [choice.kind, choice.clientId, choice.resourceId]
      : [choice.kind, choice.managedIdentityClientId],
  );
  let credential = shared.get(key);
  if (credential === undefined) {
    credential = boundedCredential(createCredential(choice), TOKEN_DEADLINE_MS);
    shared.set(key, credential);
  }
  return credential;
}
