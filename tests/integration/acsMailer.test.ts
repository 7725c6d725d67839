/**
 * The Communication Services transport (the real @azure/communication-email client) against a loopback ACS
 * (tests/support/fakeCommunicationServices.ts) that checks what ACS checks, with tokens from a loopback
 * managed-identity endpoint through the real ManagedIdentityCredential. A send resolves only once the operation
 * reached Succeeded; every failure rejects; a retry reuses the send's Operation-Id and never queues it twice.
 */
import { createCredential } from '../../shared/azureCredential';
import { type AcsMailSettings, createAcsMailer } from '../../shared/mail/acsMailer';
import { MailApiError } from '../../shared/mail/mailApi';
import type { MailMessage } from '../../shared/mail/mailer';
import { type FakeCommunicationServices, startFakeCommunicationServices } from '../support/fakeCommunicationServices';
import { type ManagedIdentityEndpoint, startManagedIdentityEndpoint } from '../support/managedIdentityEndpoint';
import { selfSignedCertificate } from '../support/tls';

const SENDER = 'DoNotReply@4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f.azurecomm.net';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const certificate = selfSignedCertificate();
let identity: ManagedIdentityEndpoint;
let acs: FakeCommunicationServices;
let logged: string[] = [];

const message: MailMessage = {
  to: ['ana@contoso.example', 'li@contoso.example'],
  subject: 'Escalation: 1 lead waiting 49 h',
  text: 'One lead has waited 49 hours.',
  html: '<p>One lead has waited <b>49 hours</b>.</p>',
};

beforeAll(async () => {
  identity = await startManagedIdentityEndpoint();
  // What App Service sets for the app; ManagedIdentityCredential picks its source on first use, after this.
  Object.assign(process.env, identity.env);
  acs = await startFakeCommunicationServices({ certificate, senderAddress: SENDER });
});

afterAll(async () => {
  await acs.stop();
  await identity.stop();
});

beforeEach(() => {
  acs.queued.length = 0;
  acs.sendAttempts.length = 0;
  acs.polls.length = 0;
  logged = [];
});

function mailer(settings: Partial<AcsMailSettings> = {}) {
  return createAcsMailer(
    { endpoint: acs.url, senderAddress: SENDER, timeBudgetMs: 5_000, pollIntervalMs: 50, ...settings },
    {
      credential: createCredential({ kind: 'managedIdentity', clientId: identity.clientId }),
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

describe('Azure Communication Services transport', () => {
  test('queues the message with a Communication Services token and resolves once the operation Succeeded', async () => {
    acs.nextOutcome({ runningPolls: 2 });

    const result = await mailer().send(message);

    expect(result.accepted).toEqual(message.to);
    expect(acs.queued).toHaveLength(1);
    const [queued] = acs.queued;
    expect(queued?.operationId).toMatch(UUID);
    expect(result.messageId).toBe(queued?.operationId);
    expect(queued?.claims).toMatchObject({ aud: 'https://communication.azure.com/', appid: identity.clientId });
    expect(queued?.message).toEqual({
      senderAddress: SENDER,
      content: { subject: message.subject, plainText: message.text, html: message.html },
      recipients: { to: [{ address: 'ana@contoso.example' }, { address: 'li@contoso.example' }] },
      userEngagementTrackingDisabled: true,
    });
    // Resolved only after the polls that said Running and the one that said Succeeded.
    expect(acs.polls.map((p) => p.state)).toEqual(['Running', 'Running', 'Succeeded']);
    expect(identity.requests).toContainEqual({
      resource: 'https://communication.azure.com/',
      clientId: identity.clientId,
    });
    expect(logged.join('\n')).toMatch(/sent by Azure Communication Services .* to 2 recipient/);
    expect(logged.join('\n')).not.toContain('@contoso');
  });

  test.each([429, 503])(
    'HTTP %i with Retry-After is waited out, and the retry carries the same Operation-Id',
    async (status) => {
      acs.scriptSend({ status, headers: { 'retry-after': '1' } });
      const started = Date.now();

      await mailer().send(message);

      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
      expect(acs.sendAttempts.map((a) => a.status)).toEqual([status, 202]);
      expect(acs.sendAttempts[0]?.operationId).toMatch(UUID);
      expect(acs.sendAttempts[1]?.operationId).toBe(acs.sendAttempts[0]?.operationId);
      expect(acs.queued).toHaveLength(1);
    },
  );

  test('a Retry-After longer than the message may wait fails at once: not queued, transient', async () => {
    acs.scriptSend({ status: 429, headers: { 'retry-after': '300' } });
    const started = Date.now();

    const error = await failure(mailer().send(message));

    expect(Date.now() - started).toBeLessThan(4_000);
    expect(error.status).toBe(429);
    expect(error.transient).toBe(true);
    expect(error.message).toMatch(/did not take the message: HTTP 429.*the next run sends it/);
    expect(acs.queued).toHaveLength(0);
  });

  test('a lost status poll is asked again (a read is safe to repeat) and the send still succeeds', async () => {
    acs.nextOutcome({ runningPolls: 0 });
    acs.scriptPoll({ status: 500 });

    await mailer().send(message);

    expect(acs.polls.map((p) => p.status)).toEqual([500, 200]);
    expect(acs.queued).toHaveLength(1);
  });

  test('an operation that Failed rejects with its code and is not transient: nothing is marked sent', async () => {
    acs.nextOutcome({
      runningPolls: 1,
      fail: {
        code: 'EmailDroppedAllRecipientsSuppressed',
        message: 'All recipients are suppressed: ana@contoso.example',
      },
    });

    const error = await failure(mailer().send(message));

    expect(error.message).toMatch(/queued the message \(operation [0-9a-f-]+\) but it failed: .*Suppressed/);
    expect(error.message).not.toContain('ana@contoso.example');
    expect(error.transient).toBe(false);
  });

  test('an operation still running when the budget ends rejects, saying it may still go out', async () => {
    acs.nextOutcome({ runningPolls: 10_000 });
    const started = Date.now();

    const error = await failure(mailer({ timeBudgetMs: 1_500 }).send(message));

    expect(Date.now() - started).toBeLessThan(4_000);
    expect(error.message).toMatch(/queued the message .* but did not report it sent within 2 s; .*may send it again/);
    expect(error.transient).toBe(true);
    expect(acs.queued).toHaveLength(1);
  });

  test('a sender that is not on the resource’s linked domain is refused and not retried', async () => {
    const error = await failure(mailer({ senderAddress: 'leads@contoso.example' }).send(message));

    expect(error.status).toBe(400);
    expect(error.code).toBe('InvalidSenderUserName');
    expect(error.transient).toBe(false);
    expect(acs.sendAttempts.map((a) => a.status)).toEqual([400]);
  });
});
