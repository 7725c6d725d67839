/**
 * The host side of HTTP streaming, which an app switches on with `app.setup({ enableHttpStream: true })`. The library
 * then serves an HTTP endpoint of its own (worker capability `HttpUri`). For each request the host starts the
 * invocation with the request's headers, query and route parameters as trigger metadata, and forwards the request
 * itself to that endpoint, tagged with the invocation id. The function reads the body as it arrives and its
 * response comes back on the forwarded request, streamed, instead of inside the invocation result.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import { Transform } from 'node:stream';

import type { RpcTypedData } from './coreTypes';
import type { RegisteredFunction } from './functionsCore';
import { type HostLog, invokeFunction } from './invoke';

export interface StreamedRequest {
  fn: RegisteredFunction;
  req: http.IncomingMessage;
  res: http.ServerResponse;
  method: string;
  url: URL;
  headers: Record<string, string>;
  params: Record<string, string>;
  maxRequestBytes: number;
  log: HostLog;
}

// Connection-level headers are not forwarded by a proxy (RFC 9110 §7.6.1); the library drops the same set.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const INVOCATION_ID_HEADER = 'x-ms-invocation-id';

function forwardable(headers: http.IncomingHttpHeaders, drop: readonly string[] = []): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || drop.includes(name)) continue;
    out[name] = value;
  }
  return out;
}

/**
 * What the Functions host sends as trigger metadata for an HTTP request (azure-webjobs-sdk-extensions'
 * GetRequestBindingData): `Headers` and `Query` as JSON, and each query key (but `code`, the function key) and route
 * parameter as a string of its own. With streaming on, the library takes headers from here and turns every string
 * entry into `request.params`, so query keys show up there too, as in Azure.
 */
function triggerMetadata(request: StreamedRequest): Record<string, RpcTypedData> {
  const query: Record<string, string> = {};
  for (const [k, v] of request.url.searchParams) query[k] = v;
  const metadata: Record<string, RpcTypedData> = {};
  for (const [name, value] of Object.entries(query))
    if (name.toLowerCase() !== 'code') metadata[name] = { string: value };
  for (const [name, value] of Object.entries(request.params)) metadata[name] = { string: value };
  metadata.Headers = { json: JSON.stringify(request.headers) };
  metadata.Query = { json: JSON.stringify(query) };
  return metadata;
}

/**
 * A connection stays reusable only if the library's endpoint parsed the whole request, whether or not the function
 * read its body. Node parses a body into the request's buffer up to the stream's high-water mark (16 KiB on Node 20,
 * 64 KiB later) even when nobody reads it; past that it stops reading the socket, and a function that answers
 * without reading the rest leaves the connection stuck mid-body: a request sent on it next would wait for the
 * library's keep-alive timeout and then fail. So a connection that carried a larger body is closed after its answer.
 * Leads are a few KiB; only large uploads pay a new connection.
 */
const REUSABLE_BODY_BYTES = 16 * 1024;

/** Counts the forwarded body, says once when it is too large to reuse the connection, fails past the host limit. */
function sizeLimit(maxBytes: number, onNotReusable: () => void): Transform & { exceeded: boolean } {
  let seen = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const before = seen;
      seen += chunk.length;
      if (before <= REUSABLE_BODY_BYTES && seen > REUSABLE_BODY_BYTES) onNotReusable();
      if (seen > maxBytes) {
        limiter.exceeded = true;
        callback(new Error('request body over the host limit'));
      } else callback(null, chunk);
    },
  }) as Transform & { exceeded: boolean };
  limiter.exceeded = false;
  return limiter;
}

function plain(res: http.ServerResponse, status: number, text: string): void {
  if (res.headersSent) res.destroy();
  else res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
}

// What a client still sends after its answer is read and dropped up to this much (Kestrel drains similarly), so its
// connection stays usable; beyond it, or for a body already over the limit, the connection is closed instead.
const DRAIN_MAX_BYTES = 1024 * 1024;

function drainOrClose(req: http.IncomingMessage, res: http.ServerResponse, drain: boolean): void {
  if (req.complete || req.destroyed) return;
  req.unpipe();
  const close = (): void => void req.destroy();
  if (!drain) {
    if (res.writableFinished || res.destroyed) close();
    else res.once('close', close);
    return;
  }
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_MAX_BYTES) close();
  });
  req.resume();
}

/**
 * Forwards requests to the library's endpoint over kept-alive connections, as the Functions host does: one
 * `SocketsHttpHandler` for every forwarded request (azure-functions-host DefaultHttpProxyService), which pools
 * HTTP/1.1 connections with no cap per server. A connection per request cost a TCP handshake, a `localhost` lookup
 * and a socket on both ends each time, the largest part of what streaming added to a request.
 */
export interface WorkerForwarder {
  serve(request: StreamedRequest): Promise<void>;
  /** Closes the idle pooled connections; for when every request has been answered. */
  close(): void;
}

// The agent's idle limit only applies the library's `Keep-Alive: timeout=5` hint when it is longer than the hint
// (Node's Agent#keepSocketAlive); the agent then drops an idle connection a second before the library would, so a
// request never goes out on a connection the library is closing. 60 s is the .NET pool's idle timeout.
const POOL_IDLE_TIMEOUT_MS = 60_000;

export function workerForwarder(proxyUri: string): WorkerForwarder {
  // No cap on connections, as .NET's MaxConnectionsPerServer: a capped pool would queue a request behind long
  // responses (a CSV export) while its invocation already waits for it.
  const agent = new http.Agent({ keepAlive: true, timeout: POOL_IDLE_TIMEOUT_MS, scheduling: 'lifo' });
  return {
    serve: async (request) => {
      const { req, res } = request;
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > request.maxRequestBytes) {
        // Not worth reading: answer and close the connection.
        res.setHeader('connection', 'close');
        plain(res, 413, 'Request Entity Too Large');
        return drainOrClose(req, res, false);
      }
      const outcome = await forwardToWorker(proxyUri, agent, request);
      drainOrClose(req, res, outcome !== 'tooLarge');
    },
    close: () => agent.destroy(),
  };
}

/** Sends the request to the library's endpoint and relays the answer; says whether the body went over the limit. */
async function forwardToWorker(
  proxyUri: string,
  agent: http.Agent,
  request: StreamedRequest,
): Promise<'done' | 'tooLarge'> {
  const { req, res, log } = request;
  const name = request.fn.metadata.name;
  const invocationId = randomUUID();
  const target = new URL(`${request.url.pathname}${request.url.search}`, proxyUri);
  const forwarded = http.request(target, {
    method: request.method,
    agent,
    headers: {
      // The forwarder sets Host to the worker's own address, as YARP does in the Functions host.
      ...forwardable(req.headers, ['host']),
      [INVOCATION_ID_HEADER]: invocationId,
      'x-forwarded-host': req.headers.host ?? request.url.host,
      'x-forwarded-proto': 'http',
      'x-forwarded-for': request.headers['x-forwarded-for'] ?? '',
    },
  });
  // Closed after the answer instead of pooled (Node's client reads this when the response ends).
  const limiter = sizeLimit(request.maxRequestBytes, () => (forwarded.shouldKeepAlive = false));

  /**
   * Stop sending without cutting the connection short: end our side with a FIN after what was already sent, never
   * a reset, so the library still receives the request (the invocation waits for it) and the function's body
   * stream fails on the early end instead of the invocation waiting forever.
   */
  let abandoned = false;
  const abandon = (): void => {
    if (abandoned) return;
    abandoned = true;
    // A connection ended mid-request is not one to reuse: it closes once the response (if any) has come back.
    forwarded.shouldKeepAlive = false;
    req.unpipe(limiter);
    limiter.unpipe(forwarded);
    const endSocket = (socket: Socket): void => void setImmediate(() => socket.end());
    if (forwarded.socket) endSocket(forwarded.socket);
    else forwarded.once('socket', endSocket);
  };

  let answered = false;
  let proxied: http.IncomingMessage | undefined;
  let relayDone: () => void = () => undefined;
  const relayed = new Promise<void>((resolve) => (relayDone = resolve));
  // Settles only if forwarding fails before the library answers; the invocation would then wait for it forever.
  const forwardingFailed = new Promise<Error>((resolve) => {
    forwarded.on('error', (e) => {
      if (!answered) resolve(e);
      relayDone();
    });
  });
  // Registered before anything is sent, so a client that leaves at any point is noticed.
  res.on('close', () => {
    if (!res.writableFinished) {
      abandon();
      proxied?.destroy();
    }
    relayDone();
  });
  req.on('close', () => {
    // A client that gives up mid-upload: the function's body stream must fail, not wait for bytes that never come.
    if (!req.complete) abandon();
  });
  forwarded.on('response', (response) => {
    answered = true;
    proxied = response;
    if (res.destroyed) {
      response.destroy();
      return relayDone();
    }
    res.writeHead(response.statusCode ?? 500, forwardable(response.headers));
    response.pipe(res);
    response.on('error', () => res.destroy());
  });

  // Headers go out now, not with the first body byte: the invocation waits for this request to reach the library,
  // and a bodiless request would otherwise never get there.
  forwarded.flushHeaders();
  limiter.on('error', () => abandon());
  req.pipe(limiter).pipe(forwarded);

  const invocation = invokeFunction(request.fn, { http: {} }, triggerMetadata(request), log, invocationId);
  // The Functions host keeps the gRPC message minimal when it forwards the request: the empty http value above.
  const first = await Promise.race([invocation, forwardingFailed]);
  if (limiter.exceeded) {
    forwarded.destroy();
    plain(res, 413, 'Request Entity Too Large');
    return 'tooLarge';
  }
  if (first instanceof Error) {
    log(`[${name}] forwarding the request to the worker failed: ${first.message}`);
    plain(res, 502, 'Bad Gateway');
    return 'done';
  }
  const outcome = first;
  if (!outcome.ok || !outcome.returned) {
    if (answered) {
      // Failed while writing the body: the status is out, so cut the connection rather than end a truncated body
      // as if it were complete. (In Azure the library leaves the response open until the host gives up on it.)
      res.destroy();
      return 'done';
    }
    // The library answers only a returned response; on a throw or no return value it never answers, and the
    // Functions host in Azure gives up only at its forwarding timeout (azure-functions-nodejs-library#324).
    // Answering 504 at once keeps that outcome visible locally without the wait.
    if (!res.destroyed) {
      log(
        `Warning: '${name}' ${outcome.ok ? 'returned no response' : 'failed'} before answering. With HTTP streaming the Functions host in Azure ` +
          'leaves such a request unanswered until its forwarding timeout: handlers should always return a response (shared/api/http.ts guarded).',
      );
    }
    forwarded.destroy();
    plain(res, 504, 'Gateway Timeout: the function did not answer');
    return 'done';
  }
  // The library writes its whole response before the invocation completes; what is left is relaying it.
  await relayed;
  // Answered while the client still uploads (what it sends now is dropped): end the forwarded body, or that
  // connection would wait for the rest of it until the library's request timeout, never to be reused.
  if (!forwarded.writableFinished) abandon();
  // Nothing came back: the library closes the connection when a handler cancels its request body, and the
  // response written after that is lost. YARP in the Functions host answers a reset connection with 502.
  if (!answered && !res.destroyed) {
    log(`[${name}] the worker closed the connection without a response (did the handler cancel the request body?)`);
    plain(res, 502, 'Bad Gateway');
  }
  return 'done';
}
