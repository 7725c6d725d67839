/**
 * The Graph transport against a loopback Graph (tests/support/fakeGraph.ts) that checks what Graph and Exchange
 * check, with tokens from a loopback managed-identity endpoint through the real ManagedIdentityCredential: the same
 * code path as in Azure, minus the network. The reminder job marks a digest sent only when send() resolves, so
 * every failure must reject, and a retry must never deliver a message twice.
 */
import { createCredential } from '../../shared/azureCredential';
import { createGraphMailer, type GraphMailSettings } from '../../shared/mail/graphMailer';
import { MailApiError } from '../../shared/mail/mailApi';
import { type MailMessage, MailSendError } from '../../shared/mail/mailer';
import { type FakeGraph, startFakeGraph } from '../support/fakeGraph';
import { type ManagedIdentityEndpoint, startManagedIdentityEndpoint } from '../support/managedIdentityEndpoint';
import { selfSignedCertificate } from '../support/tls';

const SENDER = 'leads@contoso.example';
const certificate = selfSignedCertificate();
let identity: ManagedIdentityEndpoint;
let graph: FakeGraph;
let logged: string[] = [];

const message: MailMessage = {
  to: ['ana@contoso.example'],
  subject: 'Reminder: 2 leads waiting\r\nBcc: attacker@example.com',
  text: 'Two leads are waiting.',
  html: '<p>Two leads are waiting: <b>Müller &amp; Söhne</b></p>',
};

beforeAll(async () => {
  identity = await startManagedIdentityEndpoint();
  // What App Service sets for the app; ManagedIdentityCredential picks its source on first use, after this.
  Object.assign(process.env, identity.env);
  graph = await startFakeGraph({ certificate, mailboxes: [SENDER] });
});

afterAll(async () => {
  await graph.stop();
  await identity.stop();
});

beforeEach(() => {
  graph.sent.length = 0;
  graph.answers.length = 0;
  logged = [];
});

function mailer(settings: Partial<GraphMailSettings> = {}, clientId = identity.clientId) {
  return createGraphMailer(
    { endpoint: graph.url, sender: SENDER, timeBudgetMs: 5_000, ...settings },
    {
      credential: createCredential({ kind: 'managedIdentity', clientId }),
      tls: { ca: certificate.cert },
      log: (line) => logged.push(line),
    },
  );
}

async function failure(promise: Promise<unknown>): Promise<MailApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MailApiError);
  return error as MailApiError;
}

describe('Microsoft Graph transport', () => {
  test('sends as the sender mailbox with an app token for Graph from the app’s user-assigned identity', async () => {
    const result = await mailer().send(message);

    expect(result.accepted).toEqual(['ana@contoso.example']);
    expect(graph.sent).toHaveLength(1);
    const [sent] = graph.sent;
    expect(sent?.sender).toBe(SENDER);
    expect(sent?.claims).toMatchObject({ aud: 'https://graph.microsoft.com', appid: identity.clientId });
    expect(sent?.body).toEqual({
      message: {
        subject: 'Reminder: 2 leads waiting Bcc: attacker@example.com',
        body: { contentType: 'HTML', content: message.html },
        toRecipients: [{ emailAddress: { address: 'ana@contoso.example' } }],
      },
      saveToSentItems: false,
    });
    expect(identity.requests).toContainEqual({ resource: 'https://graph.microsoft.com', clientId: identity.clientId });
    // Logs say what happened without naming the recipient.
    expect(logged.join('\n')).toMatch(/accepted by Microsoft Graph .* for 1 recipient/);
    expect(logged.join('\n')).not.toContain('ana@');
  });

  test.each([429, 503])(
    'HTTP %i with Retry-After is waited out within the send, and the message goes once',
    async (status) => {
      graph.script({ status, headers: { 'retry-after': '1' } });
      const started = Date.now();

      await mailer().send(message);

      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
      expect(graph.answers).toEqual([status, 202]);
      expect(graph.sent).toHaveLength(1);
      expect(logged.join('\n')).toMatch(new RegExp(`HTTP ${status}, retrying in 1 s`));
    },
  );

  test('a Retry-After longer than the message may wait fails at once, unsent and transient', async () => {
    graph.script({ status: 429, headers: { 'retry-after': '120' } });
    const started = Date.now();

    const error = await failure(mailer({ timeBudgetMs: 10_000 }).send(message));

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error.message).toMatch(/throttling the mailbox \(HTTP 429, Retry-After 120 s\).*not marked sent/);
    expect(error.transient).toBe(true);
    expect(graph.answers).toEqual([429]);
    expect(graph.sent).toHaveLength(0);
  });

  test('a 500 proves nothing about delivery, so the send is not repeated within the run', async () => {
    graph.script({ status: 500, body: { error: { code: 'generalException', message: 'General exception' } } });

    const error = await failure(mailer().send(message));

    expect(error.message).toContain('HTTP 500 (generalException: General exception)');
    expect(error.transient).toBe(true);
    expect(graph.answers).toEqual([500]);
  });

  test('a black-holed Graph fails the send within its time budget, with the caveat that it may have gone out', async () => {
    graph.script({ status: 0, hang: true });
    const started = Date.now();

    const error = await failure(mailer({ timeBudgetMs: 1_500 }).send(message));

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error.message).toMatch(/gave no answer .*may or may not have gone out/);
    expect(graph.answers).toEqual([0]);
  });

  test('a mailbox outside the identity’s Exchange scope is refused (403) with what to grant, and not retried', async () => {
    const error = await failure(mailer({ sender: 'ceo@contoso.example' }).send(message));

    expect(error.status).toBe(403);
    expect(error.code).toBe('ErrorAccessDenied');
    expect(error.transient).toBe(false);
    expect(error.message).toMatch(/may not send as ceo@contoso.example.*Exchange RBAC for Applications/);
    expect(graph.sent).toHaveLength(0);
  });

  test('a token for another audience is refused (401), so the audience the transport asks for is checked', async () => {
    const error = await failure(mailer({ audience: 'https://outlook.office.com' }).send(message));

    expect(error.status).toBe(401);
    expect(error.message).toContain('InvalidAuthenticationToken');
    expect(graph.sent).toHaveLength(0);
  });

  test('an identity the platform does not have gets no token, and nothing reaches Graph', async () => {
    const error = await failure(mailer({}, '11111111-2222-3333-4444-555555555555').send(message));

    expect(error.message).toMatch(/^Could not get a token for https:\/\/graph\.microsoft\.com/);
    expect(graph.answers).toEqual([]);
  });

  test('a message without recipients is refused before any request', async () => {
    await expect(mailer().send({ ...message, to: [] })).rejects.toThrow(new MailSendError('Mail has no recipients'));
    expect(graph.answers).toEqual([]);
  });
});
