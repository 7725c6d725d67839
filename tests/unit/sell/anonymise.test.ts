import { toArrivalEvent } from '../../../shared/record/arrivalEvent';
import type { LeadArrivalEvent, LeadEvent } from '../../../shared/record/model';
import { projectLead, repeatedArrivals } from '../../../shared/record/projection';
import {
  anonymiseEvent,
  erasedRecordFields,
  holdsPersonalData,
  isErased,
  personKeys,
} from '../../../shared/sell/erasure/anonymise';
import { placement } from '../../../shared/sell/erasure/placement';
import { record } from './records';

const rawBody = JSON.stringify({
  UserDetails: {
    FirstName: 'Zofia',
    LastName: 'Quist',
    Email: 'Zofia.Quist@Erase.example',
    Phone: '+48 600 100 200',
    Country: 'PL',
    Company: 'Erase Co',
    Title: 'CTO',
  },
  LeadSource: 'AzureMarketplace-INS|contoso.widgets',
  OfferTitle: 'Widgets',
  Description: 'Call me on my mobile, Zofia',
});

function arrival(id: string, at: string): LeadArrivalEvent {
  const placed = toArrivalEvent({ v: 1, id, receivedAt: at, rawBody, request: { queryKeys: [] } });
  if (!placed.ok) throw new Error(placed.reason);
  return placed.event;
}

const events: LeadEvent[] = [
  arrival('01KWDFKDZ8GBA4VDV40ZC9FKA7', '2026-06-01T10:00:00.000Z'),
  {
    kind: 'status',
    eventId: '01KWDFKDZ8GBA4VDV40ZC9FKA8',
    at: '2026-06-01T12:00:00.000Z',
    status: 'contacted',
    note: 'Zofia wants a demo',
    by: 'Ola',
    via: 'api',
  },
  {
    kind: 'reminder',
    eventId: '01KWDFKDZ8GBA4VDV40ZC9FKA9',
    at: '2026-06-02T10:00:00.000Z',
    reminder: 'remind',
    recipients: ['sales@contoso.example'],
  },
];
const identity = { leadId: '01KWDFKDZ8GBA4VDV40ZC9FKA7', offerKey: 'contoso.widgets', identityKind: 'email' as const };

describe('anonymising a lead', () => {
  const erased = events.map((e) => anonymiseEvent(e));
  const tombstone = projectLead(identity, erased)!;
  const before = projectLead(identity, events)!;

  test('no event keeps a name, address, phone, free text or the raw payload', () => {
    const text = JSON.stringify(erased).toLowerCase();
    for (const trace of [
      'zofia',
      'quist',
      'erase.example',
      '600 100 200',
      '600100200',
      'erase co',
      'cto',
      'demo',
      'mobile',
    ])
      expect(text).not.toContain(trace);
    expect(erased.some(holdsPersonalData)).toBe(false);
    expect(events.filter(holdsPersonalData)).toHaveLength(2);
  });

  test('the tombstone keeps offer, stage, dates, status and who on the team changed it', () => {
    expect(tombstone).toMatchObject({
      offerKey: before.offerKey,
      offerTitle: 'Widgets',
      stage: before.stage,
      status: 'contacted',
      firstSeenAt: before.firstSeenAt,
      lastSeenAt: before.lastSeenAt,
      firstContactedAt: before.firstContactedAt,
      statusBy: 'Ola',
      remindedAt: before.remindedAt,
      eventCount: 1,
    });
    expect(isErased(tombstone)).toBe(true);
    expect(tombstone.email).toBeUndefined();
    expect(tombstone.statusNote).toBeUndefined();
  });

  test('anonymising twice changes nothing (idempotent)', () => {
    expect(erased.map((e) => anonymiseEvent(e))).toEqual(erased);
  });

  test('the answer names the erased record fields, not their values', () => {
    expect(erasedRecordFields(before)).toEqual(
      expect.arrayContaining(['firstName', 'lastName', 'email', 'emailMatch', 'phone', 'company', 'statusNote']),
    );
    expect(erasedRecordFields(tombstone)).toEqual([]);
  });

  test('the person is known by emails and phones from the record and the events, normalised', () => {
    expect(personKeys(undefined, events)).toEqual({
      emails: new Set(['zofia.quist@erase.example']),
      phones: new Set(['+48600100200']),
    });
    expect(personKeys(record({ email: ' Other@X.example', emailMatch: 'other@x.example' }), [])).toEqual({
      emails: new Set(['other@x.example']),
      phones: new Set(),
    });
    expect(personKeys(undefined, erased)).toEqual({ emails: new Set(), phones: new Set() });
  });

  test('the identity row is recomputed from the raw payload as processing computed it', () => {
    const placed = toArrivalEvent({
      v: 1,
      id: identity.leadId,
      receivedAt: '2026-06-01T10:00:00.000Z',
      rawBody,
      request: { queryKeys: [] },
    });
    expect(placement(events)).toEqual({
      hashes: [placed.ok ? placed.identityHash : 'none'],
      offerKey: 'contoso.widgets',
      identityKind: 'email',
    });
    expect(placement(erased).hashes).toEqual([]);
  });
});

describe('anonymising repeated POSTs', () => {
  test('the tombstone still counts a repeated POST once, and keeps nothing derived from the body', () => {
    // The same body twice, two minutes apart: one event.
    const pair = [
      arrival('01KWDFKDZ8GBA4VDV40ZC9FKA8', '2026-01-01T10:00:00.000Z'),
      arrival('01KWDFKDZ8GBA4VDV40ZC9FKA9', '2026-01-01T10:02:00.000Z'),
    ];
    const body = pair[0]!.contentKey!;
    expect(projectLead(identity, pair)?.eventCount).toBe(1);
    const repeats = repeatedArrivals(pair);
    const erased = pair.map((e) => anonymiseEvent(e, repeats.get(e.eventId)));
    expect(erased.every((e) => !holdsPersonalData(e))).toBe(true);
    expect(JSON.stringify(erased)).not.toContain(body);
    expect(projectLead(identity, erased)?.eventCount).toBe(1);
    expect(erased.map((e) => anonymiseEvent(e))).toEqual(erased);
  });
});
