/**
 * The CRM hand-off against a loopback receiver that does what docs/crm.md asks of one: verify the signature with
 * an independent implementation (the Standard Webhooks reference library), drop a webhook-id it already took, and
 * keep only the newest version of each lead.
 */
import { randomBytes } from 'node:crypto';

import { crmDelivery } from '../../shared/sell/crm/crmPayload';
import { type CrmSendResult, sendCrmWebhook } from '../../shared/sell/crm/crmSender';
import { formatWebhookSecret, parseWebhookSecret } from '../../shared/sell/crm/standardWebhooks';
import { type Receiver, SIG, startReceiver } from '../support/webhookReceiver';
import { record } from '../unit/sell/records';

const SECRET = formatWebhookSecret(randomBytes(32));

function keys(secret: string): Buffer[] {
  const parsed = parseWebhookSecret(secret);
  if (!parsed.ok) throw new Error(parsed.problem);
  return [parsed.key];
}

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver(SECRET);
});
afterEach(async () => {
  await receiver.stop();
});

const lead = record({ firstName: 'Ada', lastName: 'Lovelace', company: 'Müller & Söhne' });
const created = crmDelivery({ before: undefined, after: lead, version: 1, at: new Date() });
const contacted = { ...lead, status: 'contacted' as const, firstContactedAt: new Date().toISOString() };
const updated = crmDelivery({ before: lead, after: contacted, version: 2, at: new Date() });

function send(delivery = created, secret = SECRET, url = receiver.url): Promise<CrmSendResult> {
  return sendCrmWebhook({ url, keys: keys(secret) }, delivery);
}

function messageOf(result: CrmSendResult): string {
  return result.ok ? '' : result.message;
}

describe('sendCrmWebhook', () => {
  test('delivers the record, signed so an independent verifier accepts it', async () => {
    expect(await send()).toEqual({ ok: true, status: 204 });
    expect(receiver.taken.get(created.id)).toEqual(JSON.parse(created.body));
    expect(receiver.leads.get(lead.leadId)?.data.company).toBe('Müller & Söhne');
  });

  test('a retry of one change carries the same webhook-id, so the receiver takes it once', async () => {
    expect(await send()).toMatchObject({ ok: true });
    expect(await send()).toMatchObject({ ok: true, status: 200 });
    expect(receiver.requests.map((r) => r.id)).toEqual([created.id, created.id]);
    expect(receiver.taken.size).toBe(1);
  });

  test('a stale delivery arriving after a newer one is dropped by its version', async () => {
    await send(updated);
    await send(created);
    expect(receiver.leads.get(lead.leadId)).toMatchObject({ type: 'lead.updated', version: 2 });
  });

  test('a receiver holding another secret refuses it: permanent, not retried', async () => {
    const result = await send(created, formatWebhookSecret(randomBytes(32)));
    expect(result).toMatchObject({ ok: false, retry: false, status: 401 });
    expect(messageOf(result)).toMatch(
      /^CRM webhook \(loopback\) answered HTTP 401 \(text\/plain, \d+ bytes\); not retried$/,
    );
  });

  test.each([
    [400, false],
    [404, false],
    [410, false],
    [413, false],
    [301, true],
    [408, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
  ])('HTTP %i: retry %s', async (status, retry) => {
    receiver.script({ status });
    expect(await send()).toMatchObject({ ok: false, retry, status });
  });

  test("a receiver's Retry-After goes back for the queue's next attempt", async () => {
    receiver.script({ status: 429, headers: { 'retry-after': '30' } });
    expect(await send()).toMatchObject({ ok: false, retry: true, status: 429, retryAfterMs: 30_000 });
  });

  test('a receiver that never answers: the attempt ends at its deadline and is retried', async () => {
    receiver.script({ status: 0, hang: true });
    const started = Date.now();
    const result = await sendCrmWebhook({ url: receiver.url, keys: keys(SECRET) }, created, { timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result).toMatchObject({ ok: false, retry: true });
    expect(messageOf(result)).toContain('gave no answer in time');
  });

  test('the URL, a credential, is never in a message, even when the receiver echoes it', async () => {
    const wrong = receiver.url.replace(SIG, `${SIG.slice(0, -6)}ZZZZZZ`);
    const result = await send(created, SECRET, wrong);
    expect(result).toMatchObject({ ok: false, retry: false, status: 401 });
    expect(messageOf(result)).not.toContain(SIG.slice(0, 12));
    expect(messageOf(result)).not.toContain('/api/leads-hook');
  });

  test.each([400, 500])(
    'HTTP %i quoting personal data: the message keeps the status, content type and length, none of the text',
    async (status) => {
      const text = "'+48 600 100 200' is not a valid phone number (contact Jan Kowalski, Fabrikam)";
      receiver.script({ status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: text });
      const result = await send();
      expect(result).toMatchObject({ ok: false, retry: status === 500, status });
      const message = messageOf(result);
      expect(message).toBe(
        `CRM webhook (loopback) answered HTTP ${status} (text/plain, ${Buffer.byteLength(text)} bytes)${status === 400 ? '; not retried' : ''}`,
      );
      for (const piece of ['+48', '600 100 200', 'phone', 'Jan', 'Kowalski', 'Fabrikam'])
        expect(message).not.toContain(piece);
    },
  );

  test('a content type that is not one is not repeated either', async () => {
    receiver.script({ status: 400, headers: { 'content-type': 'Jan Kowalski <jan@fabrikam.example>' }, body: 'x' });
    expect(messageOf(await send())).toBe(
      'CRM webhook (loopback) answered HTTP 400 (an unreadable content type, 1 bytes); not retried',
    );
    receiver.script({ status: 400 });
    expect(messageOf(await send())).toBe('CRM webhook (loopback) answered HTTP 400 (no body); not retried');
  });

  test('plain HTTP to anything but loopback is refused without sending: personal data goes over HTTPS only', async () => {
    const result = await send(created, SECRET, 'http://crm.contoso.example/hook');
    expect(result).toEqual({
      ok: false,
      retry: false,
      message: 'WEBHOOK_URL must be an https:// URL (the hand-off carries personal data)',
    });
  });
});
