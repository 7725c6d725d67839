import { type AlertDecision, decideAlert } from '../../../../shared/followUp/alerts/decision';
import {
  ERASED_FLAG,
  type LeadArrivalEvent,
  type LeadEvent,
  type StatusChangeEvent,
} from '../../../../shared/record/model';
import { projectLead } from '../../../../shared/record/projection';
import { arrival } from '../../../support/events';

const IDENTITY = { leadId: '01HZX3V6Q8W4M2K9T7R5N3B1CD', offerKey: 'contoso.widgets', identityKind: 'email' as const };
const ON = { onNewLead: true };

let sequence = 0;
function lead(at: string, overrides: Partial<LeadArrivalEvent> = {}): LeadArrivalEvent {
  sequence += 1;
  return arrival(`01HZX3V6Q8W4M2K9T7R5N3B${String(sequence).padStart(3, '0')}`, at, {
    firstName: 'Ada',
    email: 'ada@example.com',
    contentKey: `body-${sequence}`,
    ...overrides,
  });
}

function status(at: string, value: StatusChangeEvent['status']): StatusChangeEvent {
  sequence += 1;
  return {
    kind: 'status',
    eventId: `01HZX3V6Q8W4M2K9T7R5N3S${String(sequence).padStart(3, '0')}`,
    at,
    status: value,
    via: 'api',
  };
}

/** What processing sees: the record from the stored history, and the record with the new arrival folded in. */
function decide(history: LeadEvent[], event: LeadArrivalEvent, settings = ON): AlertDecision {
  const before = projectLead(IDENTITY, history);
  const after = projectLead(IDENTITY, [...history, event]);
  if (after === undefined) throw new Error('the arrival made no record');
  return decideAlert({ before, after, event }, settings);
}

describe('decideAlert: a new real lead', () => {
  test('the first lead of a customer alerts, naming its stage', () => {
    expect(decide([], lead('2024-05-01T10:00:00Z', { stage: 'trial', action: 'Trial' }))).toEqual({
      alert: true,
      reason: 'newLead',
      stage: 'trial',
    });
  });

  test('a real lead on a record that held only do-not-contact leads is its first real lead', () => {
    const dnc = lead('2024-05-01T10:00:00Z', { stage: 'doNotContact', action: 'DNC' });
    expect(decide([dnc], lead('2024-05-01T11:00:00Z'))).toEqual({ alert: true, reason: 'newLead', stage: 'interest' });
  });

  test('ALERT_ON_NEW_LEAD=false silences it', () => {
    expect(decide([], lead('2024-05-01T10:00:00Z'), { onNewLead: false })).toEqual({
      alert: false,
      reason: 'switchedOff',
    });
  });
});

describe('decideAlert: an uncontacted customer moving further', () => {
  test.each([
    ['interest', 'trial'],
    ['interest', 'active'],
    ['trial', 'active'],
  ] as const)('%s → %s alerts', (from, to) => {
    const first = lead('2024-05-01T10:00:00Z', { stage: from });
    expect(decide([first], lead('2024-05-02T10:00:00Z', { stage: to }))).toEqual({
      alert: true,
      reason: 'stageRaised',
      stage: to,
      previousStage: from,
    });
  });

  test.each([
    ['trial', 'trial'],
    ['trial', 'interest'],
    ['active', 'trial'],
  ] as const)('%s then %s does not (the stage did not rise)', (from, to) => {
    const first = lead('2024-05-01T10:00:00Z', { stage: from });
    expect(decide([first], lead('2024-05-02T10:00:00Z', { stage: to }))).toEqual({
      alert: false,
      reason: 'nothingNew',
    });
  });

  test('a late lead that is older than the record does not lower or raise anything', () => {
    const active = lead('2024-05-02T10:00:00Z', { stage: 'active' });
    expect(decide([active], lead('2024-05-01T09:00:00Z', { stage: 'interest' }))).toMatchObject({ alert: false });
  });

  test('a contacted customer moving further does not alert (the reminders and the owner already know them)', () => {
    const first = lead('2024-05-01T10:00:00Z');
    const contacted = status('2024-05-01T12:00:00Z', 'contacted');
    expect(decide([first, contacted], lead('2024-05-02T10:00:00Z', { stage: 'active' }))).toEqual({
      alert: false,
      reason: 'contacted',
    });
  });

  test('a customer set back to new is uncontacted again', () => {
    const history = [
      lead('2024-05-01T10:00:00Z'),
      status('2024-05-01T12:00:00Z', 'contacted'),
      status('2024-05-01T13:00:00Z', 'new'),
    ];
    expect(decide(history, lead('2024-05-02T10:00:00Z', { stage: 'trial' }))).toMatchObject({
      alert: true,
      reason: 'stageRaised',
    });
  });
});

describe('decideAlert: never', () => {
  test('a test lead, new or raising the stage', () => {
    expect(decide([], lead('2024-05-01T10:00:00Z', { isTest: true }))).toEqual({ alert: false, reason: 'test' });
    const real = lead('2024-05-01T10:00:00Z');
    expect(decide([real], lead('2024-05-02T10:00:00Z', { stage: 'active', isTest: true }))).toEqual({
      alert: false,
      reason: 'test',
    });
  });

  test('a do-not-contact lead, new or on a real record', () => {
    const dnc = (at: string): LeadArrivalEvent => lead(at, { stage: 'doNotContact', action: 'DNC' });
    expect(decide([], dnc('2024-05-01T10:00:00Z'))).toEqual({ alert: false, reason: 'doNotContact' });
    expect(decide([lead('2024-05-01T09:00:00Z')], dnc('2024-05-01T10:00:00Z'))).toEqual({
      alert: false,
      reason: 'doNotContact',
    });
  });

  test('an unrecognised payload', () => {
    expect(decide([], lead('2024-05-01T10:00:00Z', { unrecognised: true, flags: ['unrecognised'] }))).toEqual({
      alert: false,
      reason: 'unrecognised',
    });
  });

  test('an erased record, even when a new lead reaches it', () => {
    const erased = lead('2024-05-01T10:00:00Z', { flags: [ERASED_FLAG], firstName: undefined, email: undefined });
    expect(decide([erased], lead('2024-05-02T10:00:00Z', { stage: 'active' }))).toEqual({
      alert: false,
      reason: 'erased',
    });
  });

  test('a redelivered arrival (already stored: before and after are the same record)', () => {
    const first = lead('2024-05-01T10:00:00Z');
    const raise = lead('2024-05-02T10:00:00Z', { stage: 'trial' });
    // Processing the same envelope again: the store already holds the event, so before includes it.
    const before = projectLead(IDENTITY, [first, raise]);
    const after = projectLead(IDENTITY, [first, raise, raise]);
    if (after === undefined) throw new Error('no record');
    expect(decideAlert({ before, after, event: raise }, ON)).toEqual({ alert: false, reason: 'nothingNew' });
  });

  test('a repeated POST of the same body (one event to the projection)', () => {
    const first = lead('2024-05-01T10:00:00Z', { stage: 'trial', contentKey: 'same' });
    const repeat = lead('2024-05-01T10:01:00Z', { stage: 'trial', contentKey: 'same' });
    expect(decide([first], repeat)).toEqual({ alert: false, reason: 'nothingNew' });
  });
});
