/**
 * The record's nurture fields as the projection and the rebuild fold them: attempts count as contacted-over-new,
 * the decision's answers and reason, trial starts, and the cadence block that decides the record's nurture entry.
 */
import type { CadenceRestartEvent, NurtureReminderEvent } from '../../../shared/followUp/cadence';
import type { AttemptEvent } from '../../../shared/record/attempts';
import type { LeadEvent, StatusChangeEvent } from '../../../shared/record/model';
import { projectLead, reminderSince } from '../../../shared/record/projection';
import { followUpChanges, projectRecord, wantedFollowUps } from '../../../shared/record/rebuild';
import { DAY_MS } from '../../../shared/time';
import { arrival } from '../../support/events';

const START = Date.UTC(2026, 2, 2, 9, 0);
const T = (days: number): string => new Date(START + days * DAY_MS).toISOString();
const identity = { leadId: '01J00000000000000000000000', offerKey: 'contoso.widgets', identityKind: 'email' as const };
const policy = { followUpHours: 24, escalateAfterHours: 48, cadenceDays: [2, 5, 10] };

const lead = arrival('E0000', T(0));
const attempt = (id: string, days: number, extra: Partial<AttemptEvent> = {}): AttemptEvent => ({
  kind: 'attempt',
  eventId: id,
  at: T(days),
  channel: 'phone',
  outcome: 'noAnswer',
  via: 'api',
  by: 'ana@contoso.example',
  ...extra,
});
const status = (id: string, days: number, extra: Partial<StatusChangeEvent>): StatusChangeEvent => ({
  kind: 'status',
  eventId: id,
  at: T(days),
  status: 'contacted',
  via: 'api',
  ...extra,
});
const nurtureSent = (id: string, days: number, step: number): NurtureReminderEvent => ({
  kind: 'reminder',
  eventId: id,
  at: T(days),
  reminder: 'nurture',
  step,
  recipients: ['ana@contoso.example'],
});

describe('the record of a nurtured lead', () => {
  test('an attempt makes a new lead contacted, stops the speed-to-lead clock and its reminders', () => {
    const record = projectLead(identity, [lead, attempt('E0001', 0.5)])!;
    expect(record).toMatchObject({
      status: 'contacted',
      firstContactedAt: T(0.5),
      statusBy: 'ana@contoso.example',
      attemptCount: 1,
      lastAttemptAt: T(0.5),
      lastAttemptChannel: 'phone',
      lastAttemptOutcome: 'noAnswer',
    });
    expect(wantedFollowUps(record, policy).has('remind')).toBe(false);
  });

  test('a reminder sent before an attempt no longer counts once the lead is set back to new', () => {
    const remind: LeadEvent = { kind: 'reminder', eventId: 'E0001', at: T(1), reminder: 'remind', recipients: [] };
    const events = [lead, remind, attempt('E0002', 1.5), status('E0003', 2, { status: 'new' })];
    expect(reminderSince(events, 'remind')).toBeUndefined();
    expect(reminderSince(events.slice(0, 2), 'remind')).toBe(remind);
  });

  test("a decision's answers and reason are on the record; a later change clears them", () => {
    const answers = { budget: { answer: 'yes' as const }, need: { answer: 'unknown' as const } };
    const qualified = projectLead(identity, [lead, status('E0001', 1, { status: 'qualified', answers })])!;
    expect(qualified).toMatchObject({ status: 'qualified', qualification: answers });
    expect(qualified.disqualifyReason).toBeUndefined();
    const disqualified = projectLead(identity, [
      lead,
      status('E0001', 1, { status: 'qualified', answers }),
      status('E0002', 2, { status: 'disqualified', reason: 'No budget' }),
    ])!;
    expect(disqualified).toMatchObject({ status: 'disqualified', disqualifyReason: 'No budget' });
    expect(disqualified.qualification).toBeUndefined();
  });

  test('the latest start of each trial kind is kept, so the end can be computed with the settings of the day', () => {
    const record = projectLead(identity, [
      lead,
      arrival('E0001', T(1), { action: 'Trial', stage: 'trial' }),
      arrival('E0002', T(3), { action: 'StartTestDrive', stage: 'trial' }),
      arrival('E0003', T(4), { action: 'Trial', stage: 'trial' }),
    ])!;
    expect(record).toMatchObject({ freeTrialStartedAt: T(4), testDriveStartedAt: T(3) });
  });

  test('the rebuild sets the cadence block, and the record wants one nurture entry at the next touch', () => {
    const record = projectRecord(identity, [lead, attempt('E0001', 1)], policy)!;
    expect(record.cadence).toEqual({
      phase: 'running',
      startedAt: T(1),
      stallsAt: T(11),
      step: 1,
      of: 3,
      dueAt: T(3),
    });
    expect([...wantedFollowUps(record, policy)]).toEqual([['nurture', T(3)]]);
  });

  test('a sent step moves the entry to the next one; the sync removes the old row and puts the new', () => {
    const before = projectRecord(identity, [lead, attempt('E0001', 1)], policy)!;
    const after = projectRecord(identity, [lead, attempt('E0001', 1), nurtureSent('E0002', 3, 1)], policy)!;
    expect(after.cadence).toMatchObject({ step: 2, dueAt: T(6) });
    expect(followUpChanges([before], after, policy)).toEqual({
      put: [{ kind: 'nurture', dueAt: T(6), step: 2 }],
      remove: [{ kind: 'nurture', dueAt: T(3), step: 1 }],
    });
  });

  test('no nurture entry after a reply, a decision, the last step, or for a test lead; a restart starts over', () => {
    const replied = projectRecord(identity, [lead, attempt('E0001', 1, { outcome: 'replied' })], policy)!;
    const decided = projectRecord(
      identity,
      [lead, attempt('E0001', 1), status('E0002', 2, { status: 'disqualified', reason: 'No need' })],
      policy,
    )!;
    const sentAll = [nurtureSent('E0002', 3, 1), nurtureSent('E0003', 6, 2), nurtureSent('E0004', 11, 3)];
    const stalled = projectRecord(identity, [lead, attempt('E0001', 1), ...sentAll], policy)!;
    const test = projectRecord(identity, [arrival('E0000', T(0), { isTest: true }), attempt('E0001', 1)], policy)!;
    for (const r of [replied, decided, stalled, test]) expect(wantedFollowUps(r, policy).has('nurture')).toBe(false);
    expect(stalled.cadence).toEqual({ phase: 'running', startedAt: T(1), stallsAt: T(11) });
    const restart: CadenceRestartEvent = { kind: 'cadenceRestart', eventId: 'E0005', at: T(12), via: 'api' };
    const restarted = projectRecord(identity, [lead, attempt('E0001', 1), ...sentAll, restart], policy)!;
    expect(restarted.cadence).toMatchObject({ phase: 'running', step: 1, dueAt: T(14), stallsAt: T(22) });
  });

  test('the cadence days come from the policy: "off" wants no entry', () => {
    const record = projectRecord(identity, [lead, attempt('E0001', 1)], { ...policy, cadenceDays: [] })!;
    expect(record.cadence).toEqual({ phase: 'off' });
    expect(wantedFollowUps(record, policy).size).toBe(0);
  });
});
