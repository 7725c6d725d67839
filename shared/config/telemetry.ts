/**
 * Application Insights: where custom events go, and how the app signs in to send them. With local authentication
 * off on the resource (infra/app/monitoring.bicep), ingestion takes only Entra tokens: the platform's setting
 * APPLICATIONINSIGHTS_AUTHENTICATION_STRING (`Authorization=AAD;ClientId=<identity client id>`) tells the Functions
 * host which identity to use, and the app reads the same setting for its own events, which the SDK does not do.
 */
import type { CredentialChoice } from '../credentialChoice';
import type { Checked } from './checked';
import { type Env, type Reader, readGroup } from './reader';

export interface TelemetrySettings {
  appInsightsConnectionString?: string;
  /** The identity custom events are sent as; undefined: with the connection string's key (local auth). */
  appInsightsCredential?: CredentialChoice;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NAME = 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING';
const EXPECTED =
  '"Authorization=AAD;ClientId=<client id of the user-assigned identity>" (or "Authorization=AAD" for the system-assigned one)';

/** `Authorization=AAD[;ClientId=<guid>]`, keys in any case and order, as the platform's agent reads it. */
function readAuthentication(r: Reader): CredentialChoice | undefined {
  const text = r.raw(NAME);
  if (text === undefined) return undefined;
  const fields = new Map<string, string>();
  for (const part of text.split(';')) {
    if (part.trim() === '') continue;
    const at = part.indexOf('=');
    if (at <= 0) {
      r.problem(NAME, `${NAME} is "${text}": expected ${EXPECTED}`);
      return undefined;
    }
    fields.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  const unknown = [...fields.keys()].filter((k) => k !== 'authorization' && k !== 'clientid');
  const clientId = fields.get('clientid');
  if (
    fields.get('authorization')?.toLowerCase() !== 'aad' ||
    unknown.length > 0 ||
    (clientId !== undefined && !GUID.test(clientId))
  ) {
    r.problem(NAME, `${NAME} is "${text}": expected ${EXPECTED}`);
    return undefined;
  }
  return clientId === undefined ? { kind: 'managedIdentity' } : { kind: 'managedIdentity', clientId };
}

const CONNECTION = 'APPLICATIONINSIGHTS_CONNECTION_STRING';

/**
 * `InstrumentationKey=<guid>;IngestionEndpoint=<http(s) URL>;…` (keys in any case; without an endpoint the SDK uses
 * the global one). Checked here so that a mangled value is named as the setting at start, rather than as an SDK
 * warning that names no setting. The value is not quoted: it is the resource's identity.
 */
function readConnectionString(r: Reader): string | undefined {
  const text = r.raw(CONNECTION);
  if (text === undefined) return undefined;
  const fields = new Map<string, string>();
  for (const part of text.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
    else if (part.trim() !== '') fields.set('', part);
  }
  const key = fields.get('instrumentationkey');
  const endpoint = fields.get('ingestionendpoint');
  if (!fields.has('') && key !== undefined && GUID.test(key) && (endpoint === undefined || isHttpUrl(endpoint)))
    return text;
  r.problem(
    CONNECTION,
    `${CONNECTION} is malformed: expected the resource's connection string, "InstrumentationKey=<guid>;IngestionEndpoint=https://…" (its Overview page shows it)`,
  );
  return undefined;
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

export function readTelemetry(env: Env): Checked<TelemetrySettings> {
  return readGroup(env, (r) => ({
    appInsightsConnectionString: readConnectionString(r),
    appInsightsCredential: readAuthentication(r),
  }));
}
