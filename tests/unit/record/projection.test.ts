import type { LeadEvent } from '../../../shared/record/model';
import { needsFollowUp, projectLead, repeatedArrivals } from '../../../shared/record/projection';
import { arrival } from '../../support/events';

const identity = {
  leadId: '01M8JTREQK8GZM7K6556V54J20',
  offerKey: 'fabrikamsoft.ledger-cloud',
  identityKind: 'email' as const,
};

const journey: LeadEvent[] = [
  arrival('A', '2026-01-01T10:00:00.000Z', {
    firstName: 'Jan',
    company: 'Fabrikam',
    phone: '48 600 100 200',
    title: 'IT Director',
  }),
  arrival('B', '2026-01-01T11:00:00.000Z', {
    action: 'StartTestDrive',
    stage: 'trial',
    company: 'Fabrikam sp. z o.o.',
    phone: undefined,
    title: undefined,
  }),
  arrival('C', '2026-01-02T09:00:00.000Z', {
    action: 'INS',
    stage: 'active',
    company: 'Fabrikam',
    phone: '+48600100200',
    offerTitle: 'Ledger Cloud',
  }),
];

describe('projectLead', () => {
  test('folds a journey into the furthest stage, first/last seen and the best-known values', () => {
    const record = projectLead(identity, journey)!;
    expect(record).toMatchObject({
      stage: 'active',
      status: 'new',
      firstSeenAt: '2026-01-01T10:00:00.000Z',
      lastSeenAt: '2026-01-02T09:00:00.000Z',
      eventCount: 3,
      company: 'Fabrikam',
      phone: '+48600100200',
      title: 'IT Director',
      firstName: 'Jan',
      lastAction: 'INS',
      offerTitle: 'Ledger Cloud',
    });
  });

  test('the result does not depend on the order events are read in', () => {
    const forward = projectLead(identity, journey);
    expect(projectLead(identity, [...journey].reverse())).toEqual(forward);
    expect(projectLead(identity, [journey[2]!, journey[0]!, journey[1]!])).toEqual(forward);
  });

  test('a blank value never erases a known one', () => {
    const record = projectLead(identity, [
      arrival('A', '2026-01-01T10:00:00Z', { company: 'Fabrikam' }),
      arrival('B', '2026-01-01T11:00:00Z', { company: '' }),
    ])!;
    expect(record.company).toBe('Fabrikam');
  });

  test('a late contact-me does not lower an active record', () => {
    const record = projectLead(identity, [
      arrival('A', '2026-01-02T00:00:00Z', { stage: 'active' }),
      arrival('B', '2026-01-03T00:00:00Z', { stage: 'interest' }),
    ])!;
    expect(record.stage).toBe('active');
  });

  test('status follows the latest status event; first contact is remembered', () => {
    const events: LeadEvent[] = [
      ...journey,
      { kind: 'status', eventId: 'S1', at: '2026-01-02T10:00:00.000Z', status: 'contacted', via: 'api' },
      {
        kind: 'status',
        eventId: 'S2',
        at: '2026-01-03T10:00:00.000Z',
        status: 'qualified',
        via: 'api',
        note: 'budget ok',
      },
    ];
    const record = projectLead(identity, events)!;
    expect(record).toMatchObject({
      status: 'qualified',
      statusNote: 'budget ok',
      firstContactedAt: '2026-01-02T10:00:00.000Z',
      eventCount: 3,
    });
    expect(needsFollowUp(record)).toBe(false);
  });

  test('reminder events set remindedAt and escalatedAt', () => {
    const record = projectLead(identity, [
      ...journey,
      {
        kind: 'reminder',
        eventId: 'R1',
        at: '2026-01-02T10:15:00.000Z',
        reminder: 'remind',
        recipients: ['sales@contoso.example'],
      },
    ])!;
    expect(record.remindedAt).toBe('2026-01-02T10:15:00.000Z');
    expect(record.escalatedAt).toBeUndefined();
  });

  test('DNC-only and test records need no follow-up; a record with no arrivals is nothing', () => {
    expect(
      needsFollowUp(
        projectLead(identity, [arrival('A', '2026-01-01T00:00:00Z', { stage: 'doNotContact', action: 'DNC' })])!,
      ),
    ).toBe(false);
    expect(needsFollowUp(projectLead(identity, [arrival('A', '2026-01-01T00:00:00Z', { isTest: true })])!)).toBe(false);
    expect(needsFollowUp(projectLead(identity, journey)!)).toBe(true);
    expect(projectLead(identity, [])).toBeUndefined();
  });
});

describe('setting a lead back to new', () => {
  test('starts its follow-up over: reminders sent before the change no longer count', () => {
    const record = projectLead(identity, [
      ...journey,
      {
        kind: 'reminder',
        eventId: 'R1',
        at: '2026-01-02T10:15:00.000Z',
        reminder: 'remind',
        recipients: ['sales@contoso.example'],
      },
      { kind: 'status', eventId: 'S1', at: '2026-01-02T11:00:00.000Z', status: 'contacted', via: 'api' },
      { kind: 'status', eventId: 'S2', at: '2026-01-03T11:00:00.000Z', status: 'new', via: 'api' },
    ])!;
    expect(record.status).toBe('new');
    expect(record.remindedAt).toBeUndefined();
    expect(needsFollowUp(record)).toBe(true);
  });
});

describe('a conditional status change (the reminder link: contacted only over new)', () => {
  const qualified: LeadEvent = {
    kind: 'status',
    eventId: 'S1',
    at: '2026-01-02T10:00:00.000Z',
    status: 'qualified',
    via: 'dashboard',
  };
  const linkClick = (at: string): LeadEvent => ({
    kind: 'status',
    eventId: 'L1',
    at,
    status: 'contacted',
    via: 'email-link',
    onlyIf: 'new',
  });
  const reminder: LeadEvent = {
    kind: 'reminder',
    eventId: 'R1',
    at: '2026-01-02T09:30:00.000Z',
    reminder: 'remind',
    recipients: ['sales@contoso.example'],
  };

  test('after a qualification it has no effect, in whatever order the events are read', () => {
    const without = projectLead(identity, [...journey, reminder, qualified])!;
    expect(without).toMatchObject({
      status: 'qualified',
      statusChangedAt: '2026-01-02T10:00:00.000Z',
      firstContactedAt: '2026-01-02T10:00:00.000Z',
    });
    const events = [...journey, reminder, qualified, linkClick('2026-01-02T10:00:01.000Z')];
    for (const order of [events, [...events].reverse()]) expect(projectLead(identity, order)).toEqual(without);
  });

  test('over new it applies, and a later qualification still wins', () => {
    const record = projectLead(identity, [...journey, linkClick('2026-01-02T09:59:00.000Z'), qualified])!;
    expect(record).toMatchObject({ status: 'qualified', firstContactedAt: '2026-01-02T09:59:00.000Z' });
    expect(projectLead(identity, [...journey, linkClick('2026-01-02T09:59:00.000Z')])!.status).toBe('contacted');
  });
});

describe('a body POSTed again within 10 minutes is the same event', () => {
  const body = 'a'.repeat(64);
  const other = 'b'.repeat(64);
  const at = (minutes: number): string =>
    new Date(Date.parse('2026-01-01T10:00:00.000Z') + minutes * 60_000).toISOString();

  test('a repeat within the window counts once: event count, last seen and history are the first arrival’s', () => {
    const events = [arrival('A', at(0), { contentKey: body }), arrival('B', at(9.9), { contentKey: body })];
    expect(repeatedArrivals(events)).toEqual(new Map([['B', 'A']]));
    expect(projectLead(identity, events)).toMatchObject({ eventCount: 1, firstSeenAt: at(0), lastSeenAt: at(0) });
  });

  test('the same body after the window, or a different body at once, is a new event', () => {
    const later = [arrival('A', at(0), { contentKey: body }), arrival('B', at(10.1), { contentKey: body })];
    const different = [arrival('A', at(0), { contentKey: body }), arrival('B', at(1), { contentKey: other })];
    expect(projectLead(identity, later)?.eventCount).toBe(2);
    expect(projectLead(identity, different)?.eventCount).toBe(2);
  });

  test('retries chain: each within the window of the previous one is the same event as the first', () => {
    const events = [0, 8, 16, 24].map((m, i) => arrival(`E${i}`, at(m), { contentKey: body }));
    expect(repeatedArrivals(events)).toEqual(
      new Map([
        ['E1', 'E0'],
        ['E2', 'E0'],
        ['E3', 'E0'],
      ]),
    );
  });

  test('whatever order the events are read in, the record is the same', () => {
    const events = [
      arrival('A', at(0), { contentKey: body }),
      arrival('B', at(3), { contentKey: body, action: 'INS', stage: 'active' }),
      arrival('C', at(4), { contentKey: other }),
    ];
    const record = projectLead(identity, events);
    expect(projectLead(identity, [...events].reverse())).toEqual(record);
    expect(projectLead(identity, [events[1]!, events[2]!, events[0]!])).toEqual(record);
    // B repeats A's body, so it is A again: its own fields never count.
    expect(record).toMatchObject({ eventCount: 2, stage: 'interest' });
  });

  test('events stored before repeats were recognised (no content key) always count', () => {
    const events = [arrival('A', at(0)), arrival('B', at(1))];
    expect(projectLead(identity, events)?.eventCount).toBe(2);
  });
});
