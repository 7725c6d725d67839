/**
 * The transport MAIL_TRANSPORT names. Graph and Communication Services sign in as the app's identity (the one its
 * storage connection uses, see shared/config/mail.ts): no password exists for them anywhere.
 */
import { credentialFor } from '../azureCredential';
import type { MailSettings } from '../config';
import { createAcsMailer } from './acsMailer';
import { createGraphMailer } from './graphMailer';
import { type Mailer, outboxMailer, smtpMailer } from './mailer';

export function createMailer(mail: MailSettings['mail'], log: (msg: string) => void = () => undefined): Mailer {
  switch (mail.transport) {
    case 'outbox':
      return outboxMailer(mail.outboxDir, mail.from, log);
    case 'smtp':
      if (mail.smtp === undefined) throw new Error('MAIL_TRANSPORT is smtp but no SMTP settings were loaded');
      return smtpMailer(mail.smtp, mail.from, log);
    case 'graph':
      if (mail.graph === undefined) throw new Error('MAIL_TRANSPORT is graph but no Graph settings were loaded');
      return createGraphMailer(
        { endpoint: mail.graph.endpoint, sender: mail.graph.sender },
        { credential: credentialFor(mail.graph.identity), log },
      );
    case 'acs':
      if (mail.acs === undefined) throw new Error('MAIL_TRANSPORT is acs but no ACS settings were loaded');
      return createAcsMailer(
        { endpoint: mail.acs.endpoint, senderAddress: mail.acs.sender },
        { credential: credentialFor(mail.acs.identity), log },
      );
  }
}
