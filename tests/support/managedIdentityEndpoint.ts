/**
 * A loopback stand-in for the App Service / Functions managed-identity endpoint, so the real
 * ManagedIdentityCredential of @azure/identity runs its real code path in tests. The protocol (what @azure/msal-node
 * sends when IDENTITY_ENDPOINT and IDENTITY_HEADER are set):
 *
 *   GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=<resource>[&client_id=<id>]
 *   X-IDENTITY-HEADER: {IDENTITY_HEADER}
 *   → 200 { access_token, expires_on (epoch seconds), resource, token_type: "Bearer" }
 *
 * Tokens are unsigned JWTs shaped like Entra v1 app tokens (issuer sts.windows.net, aud = the resource asked for,
 * iat/nbf/exp), which is what Azurite's OAuth mode and the fake mail APIs check. The credential chooses its source
 * once per process (module registry), so set `env` in process.env before the first token is asked for.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TokenRequest {
  resource: string;
  clientId?: string;
}

export interface TokenClaims {
  aud: string;
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  appid: string;
  oid: string;
  tid: string;
}

export interface ManagedIdentityEndpoint {
  /** What the platform sets for the app: put these in process.env (or a child's env) before first use. */
  env: { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string };
  clientId: string;
  tenantId: string;
  /** Every token request served or refused, in order. */
  requests: TokenRequest[];
  stop(): Promise<void>;
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function reply(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * Serves tokens for one user-assigned identity: a request naming another client id (or none, i.e. a
 * system-assigned identity the app does not have) is refused as App Service refuses it.
 */
export async function startManagedIdentityEndpoint(
  options: { clientId?: string; tenantId?: string; lifetimeSeconds?: number } = {},
): Promise<ManagedIdentityEndpoint> {
  const clientId = options.clientId ?? randomUUID();
  const tenantId = options.tenantId ?? randomUUID();
  const secret = randomUUID();
  const requests: TokenRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/msi/token') return reply(res, 404, { message: 'Not found' });
    if (req.headers['x-identity-header'] !== secret) {
      return reply(res, 400, { statusCode: 400, message: 'The request is missing the X-IDENTITY-HEADER secret' });
    }
    const resource = url.searchParams.get('resource') ?? '';
    const requested = url.searchParams.get('client_id') ?? undefined;
    requests.push({ resource, clientId: requested });
    if (url.searchParams.get('api-version') !== '2019-08-01' || resource === '') {
      return reply(res, 400, { statusCode: 400, message: 'api-version 2019-08-01 and a resource are required' });
    }
    if (requested !== clientId) {
      return reply(res, 400, { statusCode: 400, message: 'Unable to load the proper Managed Identity.' });
    }
    const now = Math.floor(Date.now() / 1000);
    const exp = now + (options.lifetimeSeconds ?? 3600);
    const claims: TokenClaims = {
      aud: resource,
      iss: `https://sts.windows.net/${tenantId}/`,
      iat: now - 5,
      nbf: now - 5,
      exp,
      appid: clientId,
      oid: clientId,
      tid: tenantId,
    };
    reply(res, 200, {
      access_token: `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`,
      expires_on: String(exp),
      resource,
      token_type: 'Bearer',
      client_id: clientId,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    env: { IDENTITY_ENDPOINT: `http://127.0.0.1:${port}/msi/token`, IDENTITY_HEADER: secret },
    clientId,
    tenantId,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * What a Microsoft service checks of a bearer token before anything else: present, a JWT, for this audience,
 * not expired. Returns the claims, or the reason for a 401.
 */
export function checkBearer(
  authorization: string | undefined,
  audiences: readonly string[],
): { ok: true; claims: TokenClaims } | { ok: false; reason: string } {
  const match = /^Bearer (\S+)$/.exec(authorization ?? '');
  if (match?.[1] === undefined) return { ok: false, reason: 'no bearer token' };
  const payload = match[1].split('.')[1];
  let claims: TokenClaims;
  try {
    claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as TokenClaims;
  } catch {
    return { ok: false, reason: 'the token is not a JWT' };
  }
  if (!audiences.includes(claims.aud)) return { ok: false, reason: `wrong audience ${String(claims.aud)}` };
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}
