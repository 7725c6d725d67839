/**
 * A loopback Teams Workflows trigger ("When a Teams webhook request is received") over HTTPS. Like the real one it
 * answers 202 with no body once it takes a request, refuses a URL whose `sig` is wrong (401, with an error that
 * echoes the URL, as Logic Apps errors can), and, like the "Post card in a chat or channel" step that follows, it
 * needs a well-formed Adaptive Card: the shape of the payload (the message envelope, or the bare card when the flow
 * is set up for it), the card's version, its elements and its OpenUrl actions are checked here, and a bad one is
 * refused with 400 so a test sees it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

import type { Certificate } from './tls';

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Take the request and never answer. */
  hang?: boolean;
}

export interface FakeTeamsWorkflow {
  /** The trigger URL, `sig` included: the secret the app is given. */
  url: string;
  sig: string;
  /** Cards the flow accepted, in order. */
  cards: Record<string, unknown>[];
  /** Every request's status (0 for one left hanging). */
  answers: number[];
  script(...answers: ScriptedAnswer[]): void;
  /** Forget what was received and any answer still scripted. */
  reset(): void;
  stop(): Promise<void>;
}

const ELEMENT_TYPES = new Set([
  'TextBlock',
  'RichTextBlock',
  'Container',
  'ActionSet',
  'ColumnSet',
  'FactSet',
  'Image',
]);
const MAX_BYTES = 28 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function actionProblem(action: unknown, where: string): string | undefined {
  if (!isObject(action)) return `${where} is not an object`;
  if (action.type !== 'Action.OpenUrl') return `${where}.type ${String(action.type)} is not Action.OpenUrl`;
  if (!nonEmptyString(action.title)) return `${where}.title is required`;
  if (typeof action.url !== 'string' || !/^https?:\/\//.test(action.url)) return `${where}.url must be http(s)`;
  try {
    new URL(action.url);
  } catch {
    return `${where}.url is not a URL`;
  }
  return undefined;
}

function elementProblem(element: unknown, where: string): string | undefined {
  if (!isObject(element)) return `${where} is not an object`;
  const type = element.type;
  if (typeof type !== 'string' || !ELEMENT_TYPES.has(type)) return `${where}.type ${String(type)} is unknown`;
  if (type === 'TextBlock' && !nonEmptyString(element.text)) return `${where}.text is required`;
  if (type === 'RichTextBlock') {
    if (!Array.isArray(element.inlines) || element.inlines.length === 0) return `${where}.inlines is required`;
    for (const [i, run] of element.inlines.entries()) {
      if (!isObject(run) || run.type !== 'TextRun' || !nonEmptyString(run.text))
        return `${where}.inlines[${i}] must be a TextRun with text`;
    }
  }
  if (type === 'Container') {
    if (!Array.isArray(element.items) || element.items.length === 0) return `${where}.items is required`;
    for (const [i, item] of element.items.entries()) {
      const problem = elementProblem(item, `${where}.items[${i}]`);
      if (problem !== undefined) return problem;
    }
  }
  if (type === 'ActionSet') {
    if (!Array.isArray(element.actions) || element.actions.length === 0) return `${where}.actions is required`;
    for (const [i, action] of element.actions.entries()) {
      const problem = actionProblem(action, `${where}.actions[${i}]`);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

export function cardProblem(card: unknown): string | undefined {
  if (!isObject(card)) return 'the card is not an object';
  if (card.type !== 'AdaptiveCard') return `card.type must be AdaptiveCard, not ${String(card.type)}`;
  const version = typeof card.version === 'string' ? /^1\.(\d+)$/.exec(card.version) : null;
  if (version === null || Number(version[1]) < 4 || Number(version[1]) > 5)
    return `card.version ${String(card.version)} is not one Workflows renders (1.4 or 1.5)`;
  if (!Array.isArray(card.body) || card.body.length === 0) return 'card.body is required';
  for (const [i, element] of card.body.entries()) {
    const problem = elementProblem(element, `body[${i}]`);
    if (problem !== undefined) return problem;
  }
  if (card.actions !== undefined) {
    if (!Array.isArray(card.actions)) return 'card.actions must be an array';
    for (const [i, action] of card.actions.entries()) {
      const problem = actionProblem(action, `actions[${i}]`);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

/** The card inside the payload, or why the payload is not what a flow of this `form` reads. */
function unwrap(payload: unknown, form: 'message' | 'card'): { card: unknown } | { problem: string } {
  if (form === 'card') return { card: payload };
  if (!isObject(payload) || payload.type !== 'message') return { problem: "the payload's type must be 'message'" };
  const attachments = payload.attachments;
  if (!Array.isArray(attachments) || attachments.length !== 1) return { problem: 'one attachment is expected' };
  const [attachment] = attachments as unknown[];
  if (!isObject(attachment) || attachment.contentType !== 'application/vnd.microsoft.card.adaptive')
    return { problem: 'the attachment must be an Adaptive Card (contentType application/vnd.microsoft.card.adaptive)' };
  return { card: attachment.content };
}

function error(res: ServerResponse, status: number, code: string, message: string): number {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code, message } }));
  return status;
}

export async function startFakeTeamsWorkflow(opts: {
  certificate: Certificate;
  /** What the flow reads: the message envelope (default) or the bare card (TEAMS_PAYLOAD=card). */
  form?: 'message' | 'card';
}): Promise<FakeTeamsWorkflow> {
  const form = opts.form ?? 'message';
  const sig = 'Xk3-9qWv2pZr7LmN4sTb8YcD1fGh6JeU0aOiQ5RyVxw';
  const path = '/workflows/5c1e4a2b9d7f4e0a8b3c6d9e1f2a3b4c/triggers/manual/paths/invoke';
  const cards: Record<string, unknown>[] = [];
  const answers: number[] = [];
  const scripted: ScriptedAnswer[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const body = await readBody(req);
    if (req.method !== 'POST' || url.pathname !== path) return error(res, 404, 'WorkflowNotFound', 'No such flow.');
    if (url.searchParams.get('sig') !== sig) {
      // Logic Apps' errors can name the request URL, secret and all: the app must not repeat it.
      return error(res, 401, 'DirectApiAuthorizationRequired', `The request to '${req.url ?? ''}' is not authorised.`);
    }
    const next = scripted.shift();
    if (next?.hang) return 0;
    if (next !== undefined) {
      res.writeHead(next.status, next.headers);
      res.end(next.body ?? '');
      return next.status;
    }
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
      return error(res, 415, 'UnsupportedMediaType', 'The content type must be application/json.');
    if (Buffer.byteLength(body) > MAX_BYTES) return error(res, 413, 'MessageTooLarge', 'The card is too large.');
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      return error(res, 400, 'InvalidJson', 'The body is not JSON.');
    }
    const unwrapped = unwrap(payload, form);
    if ('problem' in unwrapped) return error(res, 400, 'InvalidTemplate', unwrapped.problem);
    const problem = cardProblem(unwrapped.card);
    if (problem !== undefined) return error(res, 400, 'InvalidCard', problem);
    cards.push(unwrapped.card as Record<string, unknown>);
    res.writeHead(202);
    res.end();
    return 202;
  }

  const server = createServer({ key: opts.certificate.key, cert: opts.certificate.cert }, (req, res) => {
    handle(req, res).then(
      (status) => answers.push(status),
      (e: unknown) => {
        answers.push(500);
        if (!res.headersSent) error(res, 500, 'FakeFailure', String(e));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}${path}?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${sig}`,
    sig,
    cards,
    answers,
    script: (...a) => scripted.push(...a),
    reset: () => {
      cards.length = 0;
      answers.length = 0;
      scripted.length = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
