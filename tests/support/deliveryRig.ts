/**
 * What the delivery functions talk to, started together for tests that run them through the local host: Azurite,
 * the loopback SMTP server, a Teams Workflows trigger over HTTPS and a CRM receiver that verifies signatures. `env`
 * points the app at all of them, with the queues retrying at once and poisoning after two tries.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { RunningAzurite } from '../../local-host/src/azurite';
import { type FakeTeamsWorkflow, startFakeTeamsWorkflow } from './fakeTeamsWorkflow';
import { startTestAzurite } from './hostProcess';
import { SmtpSink } from './smtpSink';
import { selfSignedCertificate } from './tls';
import { type Receiver, startReceiver } from './webhookReceiver';

export interface DeliveryRig {
  azurite: RunningAzurite;
  smtp: SmtpSink;
  flow: FakeTeamsWorkflow;
  receiver: Receiver;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** `webhookSecret` is the receiver's: the app signs with it when a test sets WEBHOOK_SECRET to it. */
export async function startDeliveryRig(webhookSecret: string): Promise<DeliveryRig> {
  const certificate = selfSignedCertificate();
  const certDir = mkdtempSync(path.join(tmpdir(), 'delivery-ca-'));
  const caFile = path.join(certDir, 'ca.pem');
  writeFileSync(caFile, certificate.cert);
  const [azurite, smtp, flow, receiver] = await Promise.all([
    startTestAzurite(),
    SmtpSink.start(),
    startFakeTeamsWorkflow({ certificate }),
    startReceiver(webhookSecret),
  ]);
  return {
    azurite,
    smtp,
    flow,
    receiver,
    env: {
      AzureWebJobsStorage: azurite.connectionString,
      MAIL_TRANSPORT: 'smtp',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_SECURE: 'false',
      WEBHOOK_URL: receiver.url,
      // The host trusts the loopback Teams trigger's certificate as it would a public one.
      NODE_EXTRA_CA_CERTS: caFile,
      AzureFunctionsJobHost__extensions__queues__maxDequeueCount: '2',
      AzureFunctionsJobHost__extensions__queues__visibilityTimeout: '00:00:00',
    },
    stop: async () => {
      await Promise.all([smtp.stop(), flow.stop(), receiver.stop(), azurite.stop()]);
      rmSync(certDir, { recursive: true, force: true });
    },
  };
}
