/**
 * A loopback Azure Communication Services Email endpoint, answering as the service does (REST API 2025-09-01):
 * `POST /emails:send` queues a message (202, Operation-Location) and `GET /emails/operations/{id}` reports the
 * operation until it is Succeeded or Failed. It checks what ACS checks: a bearer token for
 * https://communication.azure.com, a sender on the resource's linked domain, the JSON shape, the recipients.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

import { checkBearer, type TokenClaims } from './managedIdentityEndpoint';
import type { Certificate } from './tls';

export const ACS_AUDIENCES = ['https://communication.azure.com', 'https://communication.azure.com/'] as const;

export interface AcsEmailRequest {
  senderAddress: string;
  content: { subject: string; plainText?: string; html?: string };
  recipients: { to: Array<{ address: string; displayName?: string }>; cc?: unknown[]; bcc?: unknown[] };
  [other: string]: unknown;
}

export interface AcsSend {
  operationId: string;
  message: AcsEmailRequest;
  claims: TokenClaims;
}

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: object;
}

/** How the next accepted message's operation ends: after some Running polls, Succeeded or Failed. */
export interface Outcome {
  runningPolls?: number;
  fail?: { code: string; message: string };
}

export interface FakeCommunicationServices {
  url: string;
  /** Messages queued (answered 202), in order, with the Operation-Id each came with. */
  queued: AcsSend[];
  /** Operation-Id header of every send request, answered or not, in order. */
  sendAttempts: Array<{ operationId: string | undefined; status: number }>;
  /** Status polls served, in order. */
  polls: Array<{ operationId: string; status: number; state?: string }>;
  scriptSend(...answers: ScriptedAnswer[]): void;
  scriptPoll(...answers: ScriptedAnswer[]): void;
  nextOutcome(...outcomes: Outcome[]): void;
  stop(): Promise<void>;
}

const MESSAGE_PROPERTIES = new Set([
  'headers',
  'senderAddress',
  'content',
  'recipients',
  'attachments',
  'replyTo',
  'userEngagementTrackingDisabled',
]);
const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;
const API_VERSIONS = new Set(['2023-03-31', '2025-09-01']);

function acsError(res: ServerResponse, status: number, code: string, message: string): number {
  res.writeHead(status, { 'content-type': 'application/json', 'x-ms-error-code': code });
  res.end(JSON.stringify({ error: { code, message } }));
  return status;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function shapeProblem(parsed: unknown): string | undefined {
  if (typeof parsed !== 'object' || parsed === null) return 'The request body is not a JSON object.';
  const message = parsed as Record<string, unknown>;
  for (const key of Object.keys(message)) {
    if (!MESSAGE_PROPERTIES.has(key)) return `Unknown property '${key}'.`;
  }
  if (typeof message.senderAddress !== 'string') return 'senderAddress is required.';
  const content = message.content as Record<string, unknown> | undefined;
  if (typeof content !== 'object' || content === null || typeof content.subject !== 'string')
    return 'content.subject is required.';
  if (typeof content.plainText !== 'string' && typeof content.html !== 'string')
    return 'content.plainText or content.html is required.';
  const recipients = message.recipients as Record<string, unknown> | undefined;
  if (typeof recipients !== 'object' || recipients === null || !Array.isArray(recipients.to))
    return 'recipients.to is required.';
  for (const r of recipients.to as unknown[]) {
    if (typeof r !== 'object' || r === null || typeof (r as { address?: unknown }).address !== 'string')
      return 'Each recipient needs an address.';
  }
  return undefined;
}

export async function startFakeCommunicationServices(options: {
  certificate: Certificate;
  /** The one sender the resource's linked domain allows. */
  senderAddress: string;
}): Promise<FakeCommunicationServices> {
  const queued: AcsSend[] = [];
  const sendAttempts: FakeCommunicationServices['sendAttempts'] = [];
  const polls: FakeCommunicationServices['polls'] = [];
  const sendScript: ScriptedAnswer[] = [];
  const pollScript: ScriptedAnswer[] = [];
  const outcomes: Outcome[] = [];
  const operations = new Map<string, { runningPollsLeft: number; fail?: Outcome['fail'] }>();
  let base = '';

  function scripted(res: ServerResponse, answer: ScriptedAnswer): number {
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(JSON.stringify(answer.body ?? { error: { code: 'Scripted', message: `HTTP ${answer.status}` } }));
    return answer.status;
  }

  function send(req: IncomingMessage, res: ServerResponse, text: string, claims: TokenClaims): number {
    const next = sendScript.shift();
    if (next !== undefined) return scripted(res, next);
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
      return acsError(res, 415, 'UnsupportedMediaType', 'Content-Type must be application/json.');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return acsError(res, 400, 'BadRequest', 'The request body is not valid JSON.');
    }
    const problem = shapeProblem(parsed);
    if (problem !== undefined) return acsError(res, 400, 'BadRequest', problem);
    const message = parsed as AcsEmailRequest;
    if (message.senderAddress.toLowerCase() !== options.senderAddress.toLowerCase()) {
      return acsError(res, 400, 'InvalidSenderUserName', 'The sender is not on a domain linked to this resource.');
    }
    const to = message.recipients.to;
    if (to.length === 0 || !to.every((r) => ADDRESS.test(r.address))) {
      return acsError(res, 400, 'InvalidRecipients', 'At least one recipient address is not valid.');
    }
    const header = req.headers['operation-id'];
    const operationId = typeof header === 'string' && header !== '' ? header : randomUUID();
    const outcome = outcomes.shift() ?? {};
    operations.set(operationId, { runningPollsLeft: outcome.runningPolls ?? 1, fail: outcome.fail });
    queued.push({ operationId, message, claims });
    res.writeHead(202, {
      'content-type': 'application/json',
      'operation-location': `${base}/emails/operations/${operationId}?api-version=2025-09-01`,
    });
    res.end(JSON.stringify({ id: operationId, status: 'Running' }));
    return 202;
  }

  function poll(res: ServerResponse, operationId: string): { status: number; state?: string } {
    const next = pollScript.shift();
    if (next !== undefined) return { status: scripted(res, next) };
    const operation = operations.get(operationId);
    if (operation === undefined) return { status: acsError(res, 404, 'NotFound', 'No such operation.') };
    let state = 'Succeeded';
    let error: object | undefined;
    if (operation.runningPollsLeft > 0) {
      operation.runningPollsLeft--;
      state = 'Running';
    } else if (operation.fail !== undefined) {
      state = 'Failed';
      error = operation.fail;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: operationId, status: state, ...(error ? { error } : {}) }));
    return { status: 200, state };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const isSend = req.method === 'POST' && url.pathname === '/emails:send';
    const pollRoute = req.method === 'GET' ? /^\/emails\/operations\/([^/]+)$/.exec(url.pathname) : null;
    if (!isSend && pollRoute?.[1] === undefined) {
      acsError(res, 404, 'NotFound', `No route ${req.method ?? ''} ${url.pathname}.`);
      return;
    }
    const version = url.searchParams.get('api-version') ?? '';
    const bearer = checkBearer(req.headers.authorization, ACS_AUDIENCES);
    let status: number;
    if (!API_VERSIONS.has(version)) status = acsError(res, 400, 'UnsupportedApiVersion', `api-version ${version}.`);
    else if (!bearer.ok) status = acsError(res, 401, 'Unauthorized', `The token was refused: ${bearer.reason}.`);
    else if (isSend) status = send(req, res, text, bearer.claims);
    else {
      const answered = poll(res, pollRoute?.[1] ?? '');
      polls.push({ operationId: pollRoute?.[1] ?? '', ...answered });
      return;
    }
    if (isSend) {
      const header = req.headers['operation-id'];
      sendAttempts.push({ operationId: typeof header === 'string' ? header : undefined, status });
    } else {
      polls.push({ operationId: pollRoute?.[1] ?? '', status });
    }
  }

  const server = createServer({ cert: options.certificate.cert, key: options.certificate.key }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `https://127.0.0.1:${port}`;
  return {
    url: base,
    queued,
    sendAttempts,
    polls,
    scriptSend: (...answers) => sendScript.push(...answers),
    scriptPoll: (...answers) => pollScript.push(...answers),
    nextOutcome: (...next) => outcomes.push(...next),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
