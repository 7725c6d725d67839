/**
 * A storage front that refuses keys, as an account with `allowSharedKeyAccess: false` does: a request without a
 * bearer token (Shared Key, SharedKeyLite, a SAS, nothing) gets 403 KeyBasedAuthenticationNotPermitted and is
 * recorded; every other request goes on, over HTTPS, to Azurite in OAuth mode, which checks the token. Azurite
 * itself always accepts its account key too, so this is what proves that no request needed one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';

import type { Certificate } from './tls';

export interface BearerOnlyStorage {
  /** The service URL to give the app instead of Azurite's: same path (the account), this front's port. */
  url: string;
  /** Requests that carried a bearer token and were passed on. */
  bearerRequests: number;
  /** Requests refused for want of a token: method, path and the scheme they used instead. */
  refused: string[];
  stop(): Promise<void>;
}

const REFUSAL =
  '<?xml version="1.0" encoding="utf-8"?><Error><Code>KeyBasedAuthenticationNotPermitted</Code>' +
  '<Message>Key based authentication is not permitted on this storage account.</Message></Error>';

/** `service` is Azurite's URL for one service (https://127.0.0.1:<port>/devstoreaccount1). */
export async function startBearerOnlyStorage(options: {
  certificate: Certificate;
  service: string;
}): Promise<BearerOnlyStorage> {
  const target = new URL(options.service);
  const state = { bearerRequests: 0, refused: [] as string[] };

  function forward(req: IncomingMessage, res: ServerResponse): void {
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
        ca: options.certificate.cert,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }

  const server = createServer({ cert: options.certificate.cert, key: options.certificate.key }, (req, res) => {
    const authorization = req.headers.authorization ?? '';
    if (/^Bearer \S+$/.test(authorization)) {
      state.bearerRequests++;
      forward(req, res);
      return;
    }
    const scheme = authorization.split(' ')[0] || (/[?&]sig=/.test(req.url ?? '') ? 'SAS' : 'no Authorization');
    state.refused.push(`${req.method ?? ''} ${req.url ?? ''} (${scheme})`);
    req.resume();
    res.writeHead(403, { 'content-type': 'application/xml', 'x-ms-error-code': 'KeyBasedAuthenticationNotPermitted' });
    res.end(REFUSAL);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}${target.pathname}`,
    get bearerRequests() {
      return state.bearerRequests;
    },
    refused: state.refused,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
