/**
 * A loopback Microsoft Graph that answers `POST /v1.0/users/{id}/sendMail` as Graph and Exchange do, checking
 * what they check: a bearer token for https://graph.microsoft.com, a mailbox the identity may send as (Exchange
 * RBAC for Applications scopes it to some mailboxes), the message's JSON shape, and its recipients.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

import { checkBearer, type TokenClaims } from './managedIdentityEndpoint';
import type { Certificate } from './tls';

export const GRAPH_AUDIENCES = ['https://graph.microsoft.com', '00000003-0000-0000-c000-000000000000'] as const;

export interface GraphRecipient {
  emailAddress: { address: string; name?: string };
}

export interface SendMailBody {
  message: {
    subject: string;
    body: { contentType: string; content: string };
    toRecipients: GraphRecipient[];
    [other: string]: unknown;
  };
  saveToSentItems?: boolean;
}

export interface GraphSend {
  sender: string;
  body: SendMailBody;
  claims: TokenClaims;
}

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: object;
  /** Take the request and never answer (a black-holed service). */
  hang?: boolean;
}

export interface FakeGraph {
  url: string;
  /** Messages Graph accepted (answered 202), in order. */
  sent: GraphSend[];
  /** Every sendMail request and the status it got (0 for a request left hanging). */
  answers: number[];
  /** The next sendMail requests get these answers, after the token check, instead of being processed. */
  script(...answers: ScriptedAnswer[]): void;
  stop(): Promise<void>;
}

const MESSAGE_PROPERTIES = new Set([
  'subject',
  'body',
  'toRecipients',
  'ccRecipients',
  'bccRecipients',
  'replyTo',
  'from',
  'importance',
  'internetMessageHeaders',
]);
const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;

function graphError(res: ServerResponse, status: number, code: string, message: string): number {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({ error: { code, message, innerError: { 'request-id': 'fake', date: new Date().toISOString() } } }),
  );
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

function isRecipientList(value: unknown): value is GraphRecipient[] {
  return (
    Array.isArray(value) &&
    value.every(
      (r) =>
        typeof r === 'object' &&
        r !== null &&
        typeof (r as GraphRecipient).emailAddress === 'object' &&
        typeof (r as GraphRecipient).emailAddress?.address === 'string',
    )
  );
}

/** Graph's checks of a sendMail body; undefined when it is well formed. */
function shapeProblem(parsed: unknown): string | undefined {
  if (typeof parsed !== 'object' || parsed === null) return 'the body is not a JSON object';
  const top = parsed as Record<string, unknown>;
  for (const key of Object.keys(top)) {
    if (key !== 'message' && key !== 'saveToSentItems') return `the property '${key}' does not exist on sendMail`;
  }
  if (top.saveToSentItems !== undefined && typeof top.saveToSentItems !== 'boolean')
    return 'saveToSentItems must be a boolean';
  const message = top.message as Record<string, unknown> | undefined;
  if (typeof message !== 'object' || message === null) return 'message is required';
  for (const key of Object.keys(message)) {
    if (!MESSAGE_PROPERTIES.has(key)) return `the property '${key}' does not exist on type 'microsoft.graph.message'`;
  }
  if (typeof message.subject !== 'string') return 'message.subject must be a string';
  const body = message.body as Record<string, unknown> | undefined;
  if (typeof body !== 'object' || body === null || typeof body.content !== 'string')
    return 'message.body.content is required';
  if (typeof body.contentType !== 'string' || !/^(html|text)$/i.test(body.contentType))
    return "message.body.contentType must be 'HTML' or 'Text'";
  for (const list of ['toRecipients', 'ccRecipients', 'bccRecipients', 'replyTo'] as const) {
    if (message[list] !== undefined && !isRecipientList(message[list])) return `message.${list} is malformed`;
  }
  return undefined;
}

export async function startFakeGraph(options: { certificate: Certificate; mailboxes: string[] }): Promise<FakeGraph> {
  const sent: GraphSend[] = [];
  const answers: number[] = [];
  const scripted: ScriptedAnswer[] = [];
  const sendable = new Set(options.mailboxes.map((m) => m.toLowerCase()));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const text = await readBody(req);
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const route = /^\/v1\.0\/users\/([^/]+)\/sendMail$/.exec(url.pathname);
    if (route?.[1] === undefined)
      return graphError(res, 400, 'BadRequest', `Resource not found for the segment '${url.pathname}'.`);
    if (req.method !== 'POST') return graphError(res, 405, 'Request_BadRequest', 'Only POST is supported.');
    const bearer = checkBearer(req.headers.authorization, GRAPH_AUDIENCES);
    if (!bearer.ok)
      return graphError(res, 401, 'InvalidAuthenticationToken', `Access token validation failure: ${bearer.reason}.`);
    const next = scripted.shift();
    if (next?.hang) return 0;
    if (next !== undefined) {
      res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
      res.end(JSON.stringify(next.body ?? { error: { code: 'Scripted', message: `HTTP ${next.status}` } }));
      return next.status;
    }
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
      return graphError(res, 415, 'UnsupportedMediaType', 'Content-Type must be application/json.');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return graphError(res, 400, 'RequestBodyRead', 'The request body is not valid JSON.');
    }
    const problem = shapeProblem(parsed);
    if (problem !== undefined) return graphError(res, 400, 'RequestBodyRead', problem);
    const sender = decodeURIComponent(route[1]);
    if (!sendable.has(sender.toLowerCase())) {
      return graphError(res, 403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    }
    const body = parsed as SendMailBody;
    if (
      body.message.toRecipients.length === 0 ||
      !body.message.toRecipients.every((r) => ADDRESS.test(r.emailAddress.address))
    ) {
      return graphError(res, 400, 'ErrorInvalidRecipients', 'At least one recipient is not valid.');
    }
    sent.push({ sender, body, claims: bearer.claims });
    res.writeHead(202, { 'request-id': 'fake', 'client-request-id': req.headers['client-request-id'] ?? '' });
    res.end();
    return 202;
  }

  const server = createServer({ cert: options.certificate.cert, key: options.certificate.key }, (req, res) => {
    handle(req, res).then(
      (status) => answers.push(status),
      (error: unknown) => {
        answers.push(500);
        res.writeHead(500).end(String(error));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    sent,
    answers,
    script: (...answers) => scripted.push(...answers),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
