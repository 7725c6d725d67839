/** Serves HTTP triggers and the admin endpoint the way the Functions host does on `func start`. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { RpcHttpData, RpcTypedData } from './coreTypes';
import type { RegisteredFunction } from './functionsCore';
import { workerForwarder } from './httpStream';
import { type HostLog, invokeFunction } from './invoke';
import { compareRoutes, type CompiledRoute, compileRoute, matchRoute } from './routes';

export interface HttpEndpoint {
  fn: RegisteredFunction;
  route: CompiledRoute;
  methods: string[];
  authLevel: string;
}

export interface HttpServerOptions {
  port: number;
  routePrefix: string;
  endpoints: HttpEndpoint[];
  /** Runs a non-HTTP function once, as `POST /admin/functions/{name}` does on the real host. */
  runNonHttp(name: string, input: string): Promise<{ ok: boolean; error?: Error }> | undefined;
  /** The worker's `HttpUri` capability: set when the app switched on HTTP streaming (see httpStream.ts). */
  httpProxyUri?: string;
  log: HostLog;
}

// Matches the real host's request limit; beyond it the function never sees the request.
const MAX_REQUEST_BYTES = 100 * 1024 * 1024;

export function endpointsOf(functions: readonly RegisteredFunction[]): HttpEndpoint[] {
  const endpoints: HttpEndpoint[] = [];
  for (const fn of functions) {
    const trigger = Object.values(fn.metadata.bindings).find((b) => b.type === 'httpTrigger');
    if (!trigger) continue;
    endpoints.push({
      fn,
      route: compileRoute(trigger.route ?? fn.metadata.name),
      methods: (trigger.methods ?? ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']).map((m) =>
        m.toUpperCase(),
      ),
      authLevel: trigger.authLevel ?? 'anonymous',
    });
  }
  return endpoints.sort((a, b) => compareRoutes(a.route, b.route));
}

function readBody(req: http.IncomingMessage): Promise<Buffer | 'tooLarge'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_REQUEST_BYTES ? 'tooLarge' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}

function bodyBytes(body: RpcTypedData | null | undefined): Buffer {
  if (!body) return Buffer.alloc(0);
  if (body.bytes) return Buffer.from(body.bytes);
  if (typeof body.string === 'string') return Buffer.from(body.string, 'utf8');
  if (typeof body.json === 'string') return Buffer.from(body.json, 'utf8');
  return Buffer.alloc(0);
}

function writeFunctionResponse(res: http.ServerResponse, value: RpcTypedData | null | undefined): void {
  const rpc: RpcHttpData | undefined = value?.http ?? undefined;
  if (!rpc) {
    // A handler that returns nothing: the real host answers 204 No Content.
    res.writeHead(204).end();
    return;
  }
  const body = bodyBytes(rpc.body);
  const headers: Record<string, string> = { ...(rpc.headers ?? {}) };
  res.writeHead(Number(rpc.statusCode ?? 200), headers);
  res.end(body);
}

export interface RunningHttpServer {
  port: number;
  /**
   * Takes no new request (new connections are refused; a request on an open keep-alive connection gets 503 and the
   * connection closes), and resolves once every request in flight has been answered and every connection closed.
   */
  drain(): Promise<void>;
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const prefix = options.routePrefix.replace(/^\/+|\/+$/g, '');
  let draining = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const forwarder = options.httpProxyUri === undefined ? undefined : workerForwarder(options.httpProxyUri);
  const server = http.createServer((req, res) => {
    if (draining) return send(res, 503, 'The host is shutting down', { connection: 'close' });
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (!draining) return;
      server.closeIdleConnections();
      if (inFlight === 0) drained?.();
    });
    handle(req, res).catch((e: unknown) => {
      options.log(`HTTP host error: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) send(res, 500, 'Internal Server Error');
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const method = (req.method ?? 'GET').toUpperCase();
    const parts = url.pathname.split('/').filter((p) => p !== '');

    if (
      parts[0]?.toLowerCase() === 'admin' &&
      parts[1]?.toLowerCase() === 'functions' &&
      parts.length === 3 &&
      method === 'POST'
    ) {
      await handleAdmin(decodeURIComponent(parts[2]!), req, res, url);
      return;
    }
    const prefixParts = prefix === '' ? [] : prefix.split('/');
    const matchesPrefix = prefixParts.every((p, i) => parts[i]?.toLowerCase() === p.toLowerCase());
    if (!matchesPrefix) return send(res, 404, 'Not Found');
    const routeParts = parts.slice(prefixParts.length);

    for (const endpoint of options.endpoints) {
      if (!endpoint.methods.includes(method)) continue;
      const params = matchRoute(endpoint.route, routeParts);
      if (!params) continue;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      }
      // The host's own address, like the front end's X-Forwarded-For in Azure.
      headers['x-forwarded-for'] ??= req.socket.remoteAddress ?? '';
      if (forwarder) {
        return forwarder.serve({
          fn: endpoint.fn,
          req,
          res,
          method,
          url,
          headers,
          params,
          maxRequestBytes: MAX_REQUEST_BYTES,
          log: options.log,
        });
      }
      const body = await readBody(req);
      if (body === 'tooLarge') return send(res, 413, 'Request Entity Too Large');
      const query: Record<string, string> = {};
      for (const [k, v] of url.searchParams) query[k] = v;
      const outcome = await invokeFunction(
        endpoint.fn,
        { http: { method, url: url.toString(), headers, query, params, body: { bytes: body } } },
        {},
        options.log,
      );
      if (!outcome.ok) return send(res, 500, 'Internal Server Error');
      return writeFunctionResponse(res, outcome.returnValue);
    }
    send(res, 404, 'Not Found');
  }

  async function handleAdmin(
    name: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
  ): Promise<void> {
    const raw = await readBody(req);
    if (raw === 'tooLarge') return send(res, 413, 'Request Entity Too Large');
    let input = '';
    if (raw.length > 0) {
      try {
        const parsed = JSON.parse(raw.toString('utf8')) as { input?: unknown };
        input = typeof parsed.input === 'string' ? parsed.input : JSON.stringify(parsed.input ?? '');
      } catch {
        return send(res, 400, 'Body must be JSON: {"input": "..."}');
      }
    }
    const run = options.runNonHttp(name, input);
    if (!run) return send(res, 404, `No non-HTTP function named "${name}"`);
    // Local extension: ?wait=true answers when the run ends, so scripts and tests know its outcome.
    if (url.searchParams.get('wait') === 'true') {
      const outcome = await run;
      return outcome.ok
        ? send(res, 200, 'Succeeded')
        : send(res, 500, `Failed: ${outcome.error?.message ?? 'unknown error'}`);
    }
    run.catch(() => undefined);
    res.writeHead(202).end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    drain: async () => {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      // Answered: what is left are idle keep-alive connections and bodies a client still sends after its answer.
      server.closeAllConnections();
      forwarder?.close();
      await closed;
    },
  };
}
