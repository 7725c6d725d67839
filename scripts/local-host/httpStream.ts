/**
 * The host side of HTTP streaming, which an app switches on with `app.setup({ enableHttpStream: true })`. The library
 * then serves an HTTP endpoint of its own (worker capability `HttpUri`). For each request the host starts the
 * invocation with the request's headers, query and route parameters as trigger metadata, and forwards the request
 * itself to that endpoint, tagged with the invocation id. The function reads the body as it arrives and its
 * response comes back on the forwarded request, streamed, instead of inside the invocation result.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { Transform } from 'node:stream';
import type { RpcTypedData } from './coreTypes';
import type { RegisteredFunction } from './functionsCore';
import { invokeFunction, type HostLog } from './invoke';

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
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
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
  for (const [name, value] of Object.entries(query)) if (name.toLowerCase() !== 'code') metadata[name] = { string: value };
  for (const [name, value] of Object.entries(request.params)) metadata[name] = { string: value };
  metadata.Headers = { json: JSON.stringify(request.headers) };
  metadata.Query = { json: JSON.stringify(query) };
  return metadata;
}

/** Counts the forwarded body and fails the stream past the host's request limit. */
function sizeLimit(maxBytes: number): Transform & { exceeded: boolean } {
  let seen = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
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

export async function serveStreamed(proxyUri: string, request: StreamedRequest): Promise<void> {
  try {
    await forwardToWorker(proxyUri, request);
  } finally {
    // Answered before the client finished sending (the function stopped reading, or failed): read the rest and drop
    // it, as Kestrel does, so the client's connection stays usable instead of being reset under its next request.
    if (!request.req.complete && !request.req.destroyed) {
      request.req.unpipe();
      request.req.resume();
    }
  }
}

async function forwardToWorker(proxyUri: string, request: StreamedRequest): Promise<void> {
  const { req, res, log } = request;
  const name = request.fn.metadata.name;
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > request.maxRequestBytes) {
    // Not worth reading: answer, then close the connection instead of draining the body.
    res.setHeader('connection', 'close');
    res.once('finish', () => req.destroy());
    return plain(res, 413, 'Request Entity Too Large');
  }
  const invocationId = randomUUID();
  const target = new URL(`${request.url.pathname}${request.url.search}`, proxyUri);
  const forwarded = http.request(target, {
    method: request.method,
    // A connection per request: the library closes connections after answering (e.g. when a handler stops reading
    // a body), and a pooled one reused after that would lose the request.
    agent: false,
    headers: {
      // The forwarder sets Host to the worker's own address, as YARP does in the Functions host.
      ...forwardable(req.headers, ['host']),
      [INVOCATION_ID_HEADER]: invocationId,
      'x-forwarded-host': req.headers.host ?? request.url.host,
      'x-forwarded-proto': 'http',
      'x-forwarded-for': request.headers['x-forwarded-for'] ?? '',
    },
  });

  let answered = false;
  let relayDone: () => void = () => undefined;
  const relayed = new Promise<void>((resolve) => (relayDone = resolve));
  // Settles only if forwarding fails before the library answers; the invocation would then wait for it forever.
  const forwardingFailed = new Promise<Error>((resolve) => {
    forwarded.on('error', (e) => {
      if (!answered) resolve(e);
      relayDone();
    });
  });
  forwarded.on('response', (proxied) => {
    answered = true;
    res.writeHead(proxied.statusCode ?? 500, forwardable(proxied.headers));
    proxied.pipe(res);
    proxied.on('error', () => res.destroy());
    res.on('close', () => {
      // The client went away mid-body: stop reading what the function still writes.
      if (!res.writableFinished) proxied.destroy();
      relayDone();
    });
  });

  // Headers go out now, not with the first body byte: the invocation waits for this request to reach the library,
  // and a bodiless request would otherwise never get there.
  forwarded.flushHeaders();
  const limiter = sizeLimit(request.maxRequestBytes);
  limiter.on('error', () => forwarded.destroy());
  // A client that gives up mid-upload: the function's body stream must fail, not wait for bytes that never come.
  req.on('close', () => {
    if (!req.complete) forwarded.destroy();
  });
  req.pipe(limiter).pipe(forwarded);

  const invocation = invokeFunction(request.fn, { http: {} }, triggerMetadata(request), log, invocationId);
  // The Functions host keeps the gRPC message minimal when it forwards the request: the empty http value above.
  const first = await Promise.race([invocation, forwardingFailed]);
  if (first instanceof Error) {
    log(`[${name}] forwarding the request to the worker failed: ${first.message}`);
    return plain(res, limiter.exceeded ? 413 : 502, limiter.exceeded ? 'Request Entity Too Large' : 'Bad Gateway');
  }
  const outcome = first;
  if (limiter.exceeded) {
    forwarded.destroy();
    return plain(res, 413, 'Request Entity Too Large');
  }
  if (!outcome.ok || !outcome.returned) {
    if (answered) {
      // Failed while writing the body: the status is out, so cut the connection rather than end a truncated body
      // as if it were complete. (In Azure the library leaves the response open until the host gives up on it.)
      res.destroy();
      return;
    }
    // The library answers only a returned response; on a throw or no return value it never answers, and the
    // Functions host in Azure gives up only at its forwarding timeout (azure-functions-nodejs-library#324).
    // Answering 504 at once keeps that outcome visible locally without the wait.
    log(
      `Warning: '${name}' ${outcome.ok ? 'returned no response' : 'failed'} before answering. With HTTP streaming the Functions host in Azure ` +
        'leaves such a request unanswered until its forwarding timeout: handlers should always return a response (shared/api/http.ts guarded).',
    );
    forwarded.destroy();
    return plain(res, 504, 'Gateway Timeout: the function did not answer');
  }
  // The library writes its whole response before the invocation completes; what is left is relaying it.
  await relayed;
  // Nothing came back: the library closes the connection when a handler cancels its request body, and the
  // response written after that is lost. YARP in the Functions host answers a reset connection with 502.
  if (!answered) {
    log(`[${name}] the worker closed the connection without a response (did the handler cancel the request body?)`);
    plain(res, 502, 'Bad Gateway');
  }
}
