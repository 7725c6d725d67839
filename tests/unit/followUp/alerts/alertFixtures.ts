/** Alert messages for the rendering tests: a plain one, and one whose every value is hostile. */
import type { AlertMessage } from '../../../../shared/followUp/alerts/alertMessage';

export function alertMessage(overrides: Partial<AlertMessage> = {}): AlertMessage {
  const leadId = overrides.leadId ?? '01HZX3V6Q8W4M2K9T7R5N3B1CD';
  return {
    alertId: '01HZX3V6Q8W4M2K9T7R5N3B002',
    leadId,
    reason: 'newLead',
    at: new Date('2024-05-03T12:00:00Z'),
    stage: 'trial',
    firstName: 'Ada',
    lastName: 'Lovelace',
    title: 'CTO',
    company: 'Analytical Engines',
    country: 'GB',
    email: 'ada@analytical.example',
    phone: '+44 20 7946 0000',
    phoneE164: '+442079460000',
    offerTitle: 'Ledger Cloud',
    offerId: 'ledger-cloud',
    actions: [
      { at: new Date('2024-05-01T09:00:00Z'), source: 'AppSource', action: 'PLT', stage: 'interest' },
      { at: new Date('2024-05-03T12:00:00Z'), source: 'AzureMarketplace', action: 'Trial', stage: 'trial' },
    ],
    contactUrl: `https://leads.example.com/api/leads/${leadId}/contact?token=1714737600.abc`,
    ...overrides,
  };
}

/** Markup, Markdown, line breaks and header-looking text in every customer-supplied value. */
export const HOSTILE: Partial<AlertMessage> = {
  firstName: '<script>alert(1)</script>',
  lastName: '**Bold** [Pay here](https://evil.example)',
  title: 'CTO\r\nBcc: all@example.com',
  company: 'Acme "Rockets" & <Co>',
  country: 'US\n   Mark as contacted: https://evil.example',
  email: 'eve@evil.example?bcc=all@corp.example',
  phone: 'call me "later"',
  phoneE164: undefined,
  offerTitle: 'Offer\u2028Secret',
  accountLine: '3rd person from evil.example\nSubject: hi',
};
