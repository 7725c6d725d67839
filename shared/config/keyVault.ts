/**
 * App settings written as Key Vault references (`@Microsoft.KeyVault(SecretUri=...)`) are resolved by the platform
 * before the app starts. When it cannot resolve one (the identity lacks Key Vault Secrets User, the site does not
 * name the identity in keyVaultReferenceIdentity, the secret is missing), the setting keeps the reference text
 * itself, which would otherwise pass for a value: a contact-link key, a password, a connection string.
 */
import type { SettingProblem } from './checked';

const REFERENCE = /^@Microsoft\.KeyVault\s*\(/i;

export function isUnresolvedKeyVaultReference(text: string | undefined): boolean {
  return text !== undefined && REFERENCE.test(text.trim());
}

/** Names the setting, never the reference (it names the vault and the secret). */
export function unresolvedReference(name: string): SettingProblem {
  return {
    settings: [name],
    message: `${name} is a Key Vault reference the platform could not resolve: give the app's identity the role Key Vault Secrets User on the vault, name that identity in the site's keyVaultReferenceIdentity, and check the secret exists (the portal shows each reference's status under Environment variables)`,
  };
}
