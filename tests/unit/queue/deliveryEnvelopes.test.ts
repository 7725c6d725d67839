import { type AlertEnvelope, encodeAlertMessage, parseAlertMessage } from '../../../shared/queue/alertEnvelope';
import { encodeHandOff, type HandOffEnvelope, parseHandOff } from '../../../shared/queue/handOffEnvelope';

const LEAD = '01HZX5W3K9Q2V7B8N4M6P0R1S2';
const alert: AlertEnvelope = {
  v: 1,
  kind: 'alert',
  alertId: '01HZX5W3K9Q2V7B8N4M6P0R1S3',
  leadId: LEAD,
  recipient: 'sam@sales.example',
  reason: 'stageRaised',
  stage: 'trial',
  previousStage: 'interest',
  raisedAt: '2024-05-03T12:00:00.000Z',
  accountLine: '3rd person from fabrikam.com this week',
};
const decode = (text: string): string => Buffer.from(text, 'base64').toString('utf8');

describe('alert queue messages', () => {
  test('an alert and a digest survive encoding, as the trigger hands them over (text or parsed JSON)', () => {
    const digest = { v: 1, kind: 'digest', recipient: 'sam@sales.example', digestId: alert.alertId } as const;
    for (const message of [alert, digest]) {
      const text = decode(encodeAlertMessage(message));
      expect(parseAlertMessage(text)).toEqual({ ok: true, message });
      expect(parseAlertMessage(JSON.parse(text))).toEqual({ ok: true, message });
    }
  });

  test.each([
    ['not JSON', '{', 'the message is not JSON'],
    ['another version', { ...alert, v: 2 }, 'unknown alert message version 2'],
    ['another kind', { ...alert, kind: 'reminder' }, 'unknown alert message kind "reminder"'],
    ['no recipient', { ...alert, recipient: 'sam' }, 'recipient is not an email address'],
    ['a lead id that is not a ULID', { ...alert, leadId: 'x' }, 'leadId is not a ULID'],
    ['a do-not-contact stage', { ...alert, stage: 'doNotContact' }, 'stage is not interest, trial or active'],
    ['an unknown reason', { ...alert, reason: 'because' }, 'reason is not newLead or stageRaised'],
    ['no time', { ...alert, raisedAt: 'soon' }, 'raisedAt is not a date'],
    ['a digest without id', { v: 1, kind: 'digest', recipient: 'sam@sales.example' }, 'digestId is not an id'],
  ])('refuses %s, naming the field', (_what, message, reason) => {
    expect(parseAlertMessage(message)).toEqual({ ok: false, reason });
  });
});

describe('hand-off queue messages', () => {
  const change: HandOffEnvelope = { v: 1, leadId: LEAD, version: 3, created: false, at: '2024-05-03T12:00:00.000Z' };

  test('a change survives encoding, and so does a deferred copy with its tries', () => {
    expect(parseHandOff(decode(encodeHandOff(change)))).toEqual({ ok: true, message: change });
    const deferred = { ...change, tries: 2 };
    expect(parseHandOff(decode(encodeHandOff(deferred)))).toEqual({ ok: true, message: deferred });
  });

  test.each([
    ['version 0', { ...change, version: 0 }, 'version is not a whole number of at least 1'],
    ['a fractional version', { ...change, version: 1.5 }, 'version is not a whole number of at least 1'],
    ['no created flag', { ...change, created: 'yes' }, 'created is not true or false'],
    ['a bad lead id', { ...change, leadId: 'nope' }, 'leadId is not a ULID'],
    ['tries 0', { ...change, tries: 0 }, 'tries is not a whole number of at least 1'],
    ['tries as text', { ...change, tries: '2' }, 'tries is not a whole number of at least 1'],
  ])('refuses %s, naming the field', (_what, message, reason) => {
    expect(parseHandOff(message)).toEqual({ ok: false, reason });
  });
});
