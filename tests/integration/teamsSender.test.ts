/**
 * The Teams sender against a loopback Workflows trigger over HTTPS (tests/support/fakeTeamsWorkflow.ts) that checks
 * the payload and the card as a flow's "Post card" step needs them. The URL is the credential: no result, message
 * or log line may contain it, or any part of its signature.
 */
import { createServer } from 'node:net';

import { alertCard, alertDigestCard } from '../../shared/followUp/alerts/teamsCard';
import {
  DEFAULT_TEAMS_LIMITS,
  sendTeamsCard,
  type TeamsSendDeps,
  type TeamsSendResult,
} from '../../shared/followUp/alerts/teamsSender';
import { type FakeTeamsWorkflow, startFakeTeamsWorkflow } from '../support/fakeTeamsWorkflow';
import { selfSignedCertificate } from '../support/tls';
import { alertMessage, HOSTILE } from '../unit/followUp/alerts/alertFixtures';

const certificate = selfSignedCertificate();
const card = alertCard(alertMessage(HOSTILE), 'sam@contoso.example');
let flow: FakeTeamsWorkflow;
let cardFlow: FakeTeamsWorkflow;

beforeAll(async () => {
  flow = await startFakeTeamsWorkflow({ certificate });
  cardFlow = await startFakeTeamsWorkflow({ certificate, form: 'card' });
});

afterAll(async () => {
  await flow.stop();
  await cardFlow.stop();
});

beforeEach(() => {
  flow.reset();
  cardFlow.reset();
});

/** A clock that only moves when the sender waits, so throttling tests take no time and see every wait. */
function fakeTime(): TeamsSendDeps & { waits: number[]; logged: string[] } {
  let now = Date.parse('2024-05-03T12:00:00Z');
  const waits: number[] = [];
  const logged: string[] = [];
  return {
    waits,
    logged,
    now: () => now,
    sleep: (ms) => {
      waits.push(ms);
      now += ms;
      return Promise.resolve();
    },
    log: (line) => logged.push(line),
    tls: { ca: certificate.cert },
  };
}

function expectNoSecret(texts: readonly string[], f: FakeTeamsWorkflow): void {
  const url = new URL(f.url);
  for (const text of texts) {
    expect(text).not.toContain(f.sig);
    expect(text).not.toContain(f.sig.slice(0, 12));
    expect(text).not.toContain(url.pathname);
    expect(text).not.toContain(url.host);
  }
}

function messageOf(result: TeamsSendResult): string {
  return result.ok ? '' : result.message;
}

describe('sendTeamsCard', () => {
  test('posts the message envelope with the card; the flow accepts it (202)', async () => {
    const deps = fakeTime();
    const result = await sendTeamsCard({ webhookUrl: flow.url, payload: 'message' }, card, deps);
    expect(result).toEqual({ ok: true, status: 202, attempts: 1 });
    expect(flow.cards).toEqual([JSON.parse(JSON.stringify(card))]);
  });

  test('TEAMS_PAYLOAD=card posts the bare card to a flow that reads it so', async () => {
    const digest = alertDigestCard([alertMessage(), alertMessage({ alertId: 'B', leadId: 'L2' })], 5);
    const result = await sendTeamsCard({ webhookUrl: cardFlow.url, payload: 'card' }, digest, fakeTime());
    expect(result).toMatchObject({ ok: true, status: 202 });
    expect(cardFlow.cards).toHaveLength(1);
  });

  test('the wrong form for the flow is refused for good, and the message names the host class only', async () => {
    const result = await sendTeamsCard({ webhookUrl: cardFlow.url, payload: 'message' }, card, fakeTime());
    expect(result).toMatchObject({ ok: false, retry: false, status: 400 });
    expect(messageOf(result)).toMatch(/^Teams webhook \(loopback\) answered HTTP 400 \(application\/json, \d+ bytes\)/);
    expect(messageOf(result)).toContain('TEAMS_PAYLOAD=card');
  });

  test('a wrong signature: refused for good, and the error echoing the URL is not repeated', async () => {
    const wrong = flow.url.replace(flow.sig, `${flow.sig.slice(0, -4)}AAAA`);
    const deps = fakeTime();
    const result = await sendTeamsCard({ webhookUrl: wrong, payload: 'message' }, card, deps);
    expect(result).toMatchObject({ ok: false, retry: false, status: 401 });
    expect(messageOf(result)).toContain('set TEAMS_WEBHOOK_URL');
    expectNoSecret([messageOf(result), ...deps.logged], flow);
    expect(messageOf(result)).not.toContain(new URL(wrong).searchParams.get('sig') ?? '?');
  });

  test('429 with Retry-After within the budget: waits as asked, posts again, once accepted', async () => {
    flow.script({ status: 429, headers: { 'retry-after': '2' } });
    const deps = fakeTime();
    const result = await sendTeamsCard({ webhookUrl: flow.url, payload: 'message' }, card, deps);
    expect(result).toEqual({ ok: true, status: 202, attempts: 2 });
    expect(deps.waits).toEqual([2000]);
    expect(flow.answers).toEqual([429, 202]);
    expect(flow.cards).toHaveLength(1);
    expect(deps.logged).toEqual(['Teams webhook (loopback): HTTP 429, posting again in 2 s (attempt 2)']);
  });

  test('429 without Retry-After backs off 1 s, 2 s', async () => {
    flow.script({ status: 429 }, { status: 429 });
    const deps = fakeTime();
    expect(await sendTeamsCard({ webhookUrl: flow.url, payload: 'message' }, card, deps)).toMatchObject({
      ok: true,
      attempts: 3,
    });
    expect(deps.waits).toEqual([1000, 2000]);
  });

  test('a Retry-After beyond the budget is not waited for: the delay goes back for the queue', async () => {
    flow.script({ status: 429, headers: { 'retry-after': '120' } });
    const deps = fakeTime();
    const result = await sendTeamsCard({ webhookUrl: flow.url, payload: 'message' }, card, deps);
    expect(result).toMatchObject({ ok: false, retry: true, status: 429, retryAfterMs: 120_000 });
    expect(messageOf(result)).toContain('Retry-After 120 s');
    expect(deps.waits).toEqual([]);
    expect(flow.answers).toEqual([429]);
  });

  test('throttled on every try: stops after the attempts allowed', async () => {
    flow.script(
      ...Array.from({ length: DEFAULT_TEAMS_LIMITS.maxAttempts + 2 }, () => ({
        status: 503,
        headers: { 'retry-after': '1' },
      })),
    );
    const deps = fakeTime();
    const result = await sendTeamsCard({ webhookUrl: flow.url, payload: 'message' }, card, deps);
    expect(result).toMatchObject({ ok: false, retry: true, status: 503 });
    expect(flow.answers).toHaveLength(DEFAULT_TEAMS_LIMITS.maxAttempts);
  });

  test('a 500 is not retried here (the flow may have run): it goes back as retryable', async () => {
    flow.script({ status: 500, body: JSON.stringify({ error: { code: 'InternalServerError', message: 'Oops' } }) });
    const result = await sendTeamsCard({ webhookUrl: flow.url, payload: 'message' }, card, fakeTime());
    expect(result).toMatchObject({ ok: false, retry: true, status: 500 });
    expect(messageOf(result)).toMatch(/^Teams webhook \(loopback\) answered HTTP 500 \(no content type, \d+ bytes\)$/);
    expect(flow.answers).toEqual([500]);
  });

  test("a flow's error quoting the card's personal data: the status, type and length only", async () => {
    const text = JSON.stringify({
      error: { code: 'BadRequest', message: "'+48 600 100 200' is not a valid phone number (Jan Kowalski, Fabrikam)" },
    });
    flow.script({ status: 400, headers: { 'content-type': 'application/json; charset=utf-8' }, body: text });
    const deps = fakeTime();
    const result = await sendTeamsCard({ webhookUrl: flow.url, payload: 'message' }, card, deps);
    expect(result).toMatchObject({ ok: false, retry: false, status: 400 });
    const message = messageOf(result);
    expect(message).toContain(`(application/json, ${Buffer.byteLength(text)} bytes)`);
    for (const piece of ['+48', '600 100 200', 'phone', 'Jan', 'Kowalski', 'Fabrikam', 'BadRequest'])
      for (const line of [message, ...deps.logged]) expect(line).not.toContain(piece);
  });

  test('a flow that never answers: the request ends at its deadline, outcome unknown, retryable', async () => {
    flow.script({ status: 0, hang: true });
    const started = Date.now();
    const result = await sendTeamsCard({ webhookUrl: flow.url, payload: 'message' }, card, fakeTime(), {
      ...DEFAULT_TEAMS_LIMITS,
      requestTimeoutMs: 300,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result).toMatchObject({ ok: false, retry: true });
    expect(messageOf(result)).toBe(
      'Teams webhook (loopback) gave no answer in time; the card may or may not have been posted',
    );
  });

  test('nothing listening: could not be reached, retryable, no URL in the message', async () => {
    const port = await freePort();
    const gone = flow.url.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`);
    const result = await sendTeamsCard({ webhookUrl: gone, payload: 'message' }, card, fakeTime());
    expect(result).toMatchObject({ ok: false, retry: true });
    expect(messageOf(result)).toBe(
      'Teams webhook (loopback) could not be reached (ECONNREFUSED); the card was not posted',
    );
  });

  test('a certificate nobody trusts is refused before anything is sent', async () => {
    const result = await sendTeamsCard({ webhookUrl: flow.url, payload: 'message' }, card, {
      ...fakeTime(),
      tls: undefined,
    });
    expect(result).toMatchObject({ ok: false, retry: true });
    expect(messageOf(result)).toMatch(
      /could not be reached \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)/,
    );
    expect(flow.answers).toEqual([]);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
