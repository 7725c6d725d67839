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

export async function serveStreamed(proxyUri: string, request: StreamedRequest): Promise<void> {
  const { req, res, log } = request;
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > request.maxRequestBytes) {
    res.writeHead(413, { 'content-type': 'text/plain; charset=utf-8' }).end('Request Entity Too Large');
    return;
  }
  const invocationId = randomUUID();
  const target = new URL(`${request.url.pathname}${request.url.search}`, proxyUri);
  const forwarded = http.request(target, {
    method: request.method,
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
  const relayed = new Promise<void>((resolve) => {
    forwarded.on('response', (proxied) => {
      answered = true;
      res.writeHead(proxied.statusCode ?? 500, forwardable(proxied.headers));
      proxied.pipe(res);
      proxied.on('error', () => res.destroy());
      res.on('close', () => {
        // The client went away mid-body: stop reading what the function still writes.
        if (!res.writableFinished) proxied.destroy();
        resolve();
      });
    });
    forwarded.on('error', (e) => {
      if (!answered && !res.headersSent) {
        log(`HTTP stream to the worker failed: ${e.message}`);
      }
      resolve();
    });
  });

  // Headers go out now, not with the first body byte: the invocation waits for this request to reach the library,
  // and a bodiless or aborted request would otherwise never get there.
  forwarded.flushHeaders();
  const limiter = sizeLimit(request.maxRequestBytes);
  limiter.on('error', () => forwarded.destroy());
  req.pipe(limiter).pipe(forwarded);

  const outcome = await invokeFunction(
    request.fn,
    // The Functions host keeps the gRPC message minimal when it forwards the request: an empty http value.
    { http: {} },
    triggerMetadata(request),
    log,
    invocationId,
  );

  if (limiter.exceeded) {
    forwarded.destroy();
    if (!res.headersSent) res.writeHead(413, { 'content-type': 'text/plain; charset=utf-8' }).end('Request Entity Too Large');
    else res.destroy();
    return;
  }
  if (!outcome.ok) {
    // Failed before answering: a 500 like the non-streaming path. Failed while writing the body: the status is
    // already out, so the only honest signal left is to cut the connection rather than end a truncated body cleanly.
    if (answered) res.destroy();
    else {
      log(
        `Warning: '${request.fn.metadata.name}' failed before answering. With HTTP streaming the Functions host in Azure ` +
          'leaves such a request unanswered until its forwarding timeout (azure-functions-nodejs-library#324): handlers should return a 500 themselves.',
      );
      forwarded.destroy();
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Internal Server Error');
    }
    return;
  }
  if (!outcome.returned) {
    // The handler returned nothing, so the library never answers the forwarded request.
    forwarded.destroy();
    res.writeHead(204).end();
    return;
  }
  // The library writes its whole response before the invocation completes; what is left is relaying it.
  await relayed;
}
