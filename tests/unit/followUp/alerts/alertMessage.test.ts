import { buildAlertMessage } from '../../../../shared/followUp/alerts/alertMessage';
import { verifyContactToken } from '../../../../shared/followUp/contactToken';
import type { LeadEvent } from '../../../../shared/record/model';
import { projectLead } from '../../../../shared/record/projection';
import { arrival } from '../../../support/events';

const LEAD_ID = '01HZX3V6Q8W4M2K9T7R5N3B1CD';
const NOW = new Date('2024-05-03T12:00:30Z');
const LINK = { publicBaseUrl: 'https://leads.example.com/', secret: 'alert-link-secret', ttlDays: 14 };

const history: LeadEvent[] = [
  arrival('01HZX3V6Q8W4M2K9T7R5N3B002', '2024-05-03T12:00:00Z', {
    stage: 'trial',
    action: 'Trial',
    source: 'AppSource',
    firstName: 'Ada',
    lastName: 'Lovelace',
    company: 'Analytical Engines',
    email: 'ada@example.com',
    offerTitle: 'Ledger Cloud',
    offerId: 'ledger-cloud',
    contentKey: 'b2',
  }),
  arrival('01HZX3V6Q8W4M2K9T7R5N3B001', '2024-05-01T09:00:00Z', { firstName: 'Ada', contentKey: 'b1' }),
  // The same body POSTed again a minute later: one action, not two.
  arrival('01HZX3V6Q8W4M2K9T7R5N3B003', '2024-05-01T09:01:00Z', { firstName: 'Ada', contentKey: 'b1' }),
  { kind: 'status', eventId: '01HZX3V6Q8W4M2K9T7R5N3S001', at: '2024-05-02T09:00:00Z', status: 'new', via: 'api' },
];

function record() {
  const r = projectLead({ leadId: LEAD_ID, offerKey: 'contoso.ledger-cloud', identityKind: 'email' }, history);
  if (r === undefined) throw new Error('no record');
  return r;
}

describe('buildAlertMessage', () => {
  const message = buildAlertMessage(
    {
      decision: { reason: 'stageRaised', stage: 'trial', previousStage: 'interest' },
      eventId: '01HZX3V6Q8W4M2K9T7R5N3B002',
      record: record(),
      events: history,
      accountLine: '3rd person from analytical.example this week',
    },
    LINK,
    NOW,
  );

  test('names the raising arrival, its time and the stage move', () => {
    expect(message).toMatchObject({
      alertId: '01HZX3V6Q8W4M2K9T7R5N3B002',
      leadId: LEAD_ID,
      reason: 'stageRaised',
      stage: 'trial',
      previousStage: 'interest',
      at: new Date('2024-05-03T12:00:00Z'),
      firstName: 'Ada',
      lastName: 'Lovelace',
      company: 'Analytical Engines',
      offerTitle: 'Ledger Cloud',
      accountLine: '3rd person from analytical.example this week',
    });
  });

  test("lists the customer's actions oldest first, each POST once, without our status changes", () => {
    expect(message.actions).toEqual([
      { at: new Date('2024-05-01T09:00:00Z'), source: 'AzureMarketplace', action: 'PLT', stage: 'interest' },
      { at: new Date('2024-05-03T12:00:00Z'), source: 'AppSource', action: 'Trial', stage: 'trial' },
    ]);
  });

  test('carries a Mark-as-contacted link signed for this lead, valid for the configured days', () => {
    const url = new URL(message.contactUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`https://leads.example.com/api/leads/${LEAD_ID}/contact`);
    const token = url.searchParams.get('token') ?? '';
    expect(verifyContactToken(LEAD_ID, token, NOW, { secret: LINK.secret })).toEqual({ ok: true });
    expect(verifyContactToken('01HZX3V6Q8W4M2K9T7R5N3OTHER', token, NOW, { secret: LINK.secret })).toEqual({
      ok: false,
      reason: 'forged',
    });
    const expiry = Number(token.split('.')[0]) * 1000;
    expect(expiry).toBe(NOW.getTime() + 14 * 86_400_000);
  });
});
