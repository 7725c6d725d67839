/**
 * A loopback CRM webhook receiver that does what docs/crm.md asks of one: verify the signature with an independent
 * implementation (the Standard Webhooks reference library), refuse a URL whose `sig` is wrong (echoing the URL, as
 * Logic Apps errors can), drop a webhook-id it already took, and keep only the newest version of each lead.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Webhook } from 'standardwebhooks';

import type { CrmPayload } from '../../shared/sell/crm/crmPayload';

export const SIG = 'q9XvB2mK7pL4sT8wZ1cF6hJ3nR5yU0aE';

export interface Receiver {
  url: string;
  /** What each webhook-id delivered, once each. */
  taken: Map<string, CrmPayload>;
  /** The newest version applied per lead. */
  leads: Map<string, CrmPayload>;
  requests: { id: string | undefined; status: number }[];
  script(...answers: { status: number; headers?: Record<string, string>; body?: string; hang?: boolean }[]): void;
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startReceiver(secret: string): Promise<Receiver> {
  const hook = new Webhook(secret);
  const taken = new Map<string, CrmPayload>();
  const leads = new Map<string, CrmPayload>();
  const requests: Receiver['requests'] = [];
  const scripted: Parameters<Receiver['script']> = [];
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const id = typeof req.headers['webhook-id'] === 'string' ? req.headers['webhook-id'] : undefined;
      const answer = (status: number, text = ''): void => {
        requests.push({ id, status });
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(text);
      };
      const next = scripted.shift();
      if (next?.hang) return requests.push({ id, status: 0 });
      if (next !== undefined) {
        requests.push({ id, status: next.status });
        res.writeHead(next.status, next.headers);
        return res.end(next.body ?? '');
      }
      if (new URL(req.url ?? '/', 'http://x').searchParams.get('sig') !== SIG)
        return answer(401, `sig refused for ${req.url ?? ''}`);
      let payload: CrmPayload;
      try {
        payload = hook.verify(body, req.headers as Record<string, string>) as CrmPayload;
      } catch (e) {
        return answer(401, `signature: ${(e as Error).message}`);
      }
      if (id === undefined || taken.has(id)) return answer(200, 'already taken');
      taken.set(id, payload);
      const known = leads.get(payload.data.leadId);
      if (known === undefined || known.version < payload.version) leads.set(payload.data.leadId, payload);
      answer(204);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/leads-hook?api-version=1&sig=${SIG}`,
    taken,
    leads,
    requests,
    script: (...a) => scripted.push(...a),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
