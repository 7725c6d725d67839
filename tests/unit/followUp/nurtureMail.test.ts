/** What digests and alerts say about nurturing: the touch of the cadence, the trial's label, and trial urgency. */
import { renderAlertEmail } from '../../../shared/followUp/alerts/alertEmail';
import { buildAlertMessage, sortAlerts } from '../../../shared/followUp/alerts/alertMessage';
import { type DigestLead, renderDigest } from '../../../shared/followUp/digest';
import { projectLead } from '../../../shared/record/projection';
import { DAY_MS, HOUR_MS } from '../../../shared/time';
import { arrival } from '../../support/events';

const NOW = new Date('2026-03-10T12:00:00Z');
const before = (ms: number): Date => new Date(NOW.getTime() - ms);

function lead(leadId: string, extra: Partial<DigestLead> = {}): DigestLead {
  return {
    leadId,
    stage: 'trial',
    firstName: 'Ada',
    firstSeenAt: before(30 * HOUR_MS),
    history: [],
    contactUrl: `https://leads.example.com/api/leads/${leadId}/contact?token=1.abc`,
    escalation: false,
    ...extra,
  };
}

const order = (text: string, ids: string[]): number[] => ids.map((id) => text.indexOf(`/api/leads/${id}/contact`));

describe('the digest with nurture touches and trials', () => {
  test('a touch says which of the cadence it is; the last asks for a decision; its link records an attempt', () => {
    const { text, html } = renderDigest(
      [
        lead('FIRST'),
        lead('TOUCH', { touch: { step: 2, of: 3, last: false } }),
        lead('LAST', { touch: { step: 3, of: 3, last: true } }),
      ],
      NOW,
      { escalation: false },
    );
    expect(text).toContain('| touch 2 of 3');
    expect(text).toContain('| touch 3 of 3, stalled after this: qualify, disqualify or restart');
    expect(text).toMatch(/Nobody has contacted these marketplace leads yet\..*Time for the next touch/);
    expect(text).toContain('I contacted them: https://leads.example.com/api/leads/TOUCH/contact');
    expect(text).toContain('Mark as contacted: https://leads.example.com/api/leads/FIRST/contact');
    expect(html).toContain('touch 2 of 3');
  });

  test('within a stage, running trials come first, ending soonest first, each labelled', () => {
    const { text } = renderDigest(
      [
        lead('NO_TRIAL', { firstSeenAt: before(90 * HOUR_MS) }),
        lead('ENDED', { trial: { label: 'trial ended 2 days ago', leftMs: -2 * DAY_MS } }),
        lead('LATER', { trial: { label: 'trial ends in 20 days', leftMs: 20 * DAY_MS } }),
        lead('SOON', { trial: { label: 'test drive ends today', leftMs: 3 * HOUR_MS } }),
      ],
      NOW,
      { escalation: false },
    );
    const positions = order(text, ['SOON', 'LATER', 'ENDED', 'NO_TRIAL']);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(text).toContain('| test drive ends today');
  });
});

describe('alerts with a trial', () => {
  const identity = { leadId: '01HZX3V6Q8W4M2K9T7R5N3B1CD', offerKey: 'contoso.ledger', identityKind: 'email' as const };
  const trialLead = arrival('01HZX3V6Q8W4M2K9T7R5N3B001', before(2 * DAY_MS).toISOString(), {
    action: 'Trial',
    stage: 'trial',
    offerId: 'ledger',
    publisherId: 'contoso',
  });
  const record = projectLead(identity, [trialLead])!;
  const link = { publicBaseUrl: 'https://leads.example.com', secret: 'alert-link-secret', ttlDays: 14 };
  const trials = {
    offerTrialDays: new Map([['contoso.ledger', { freeTrial: 14 }]]),
    defaultTrialDays: { freeTrial: 30, testDrive: 1 },
  };
  const source = {
    decision: { reason: 'newLead' as const, stage: 'trial' as const },
    eventId: trialLead.eventId,
    record,
    events: [trialLead],
  };

  test("label the trial with the offer's length, in the email", () => {
    const message = buildAlertMessage(source, link, NOW, trials);
    expect(message.trial).toEqual({ label: 'trial ends in 12 days', leftMs: 12 * DAY_MS });
    const email = renderAlertEmail(message);
    expect(email.text).toContain('| trial ends in 12 days');
    expect(email.html).toContain('trial ends in 12 days');
    expect(buildAlertMessage(source, link, NOW).trial).toBeUndefined();
  });

  test('sort running trials first within a stage', () => {
    const soon = { ...buildAlertMessage(source, link, NOW, trials), alertId: 'A' };
    const none = { ...buildAlertMessage(source, link, NOW), alertId: 'B', at: before(DAY_MS * 5) };
    expect(sortAlerts([none, soon]).map((a) => a.alertId)).toEqual(['A', 'B']);
  });
});
