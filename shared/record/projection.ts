/**
 * A lead record is a fold over its events. Because the fold depends only on the set of events (sorted by time,
 * ties by id), redelivered, replayed or out-of-order messages always produce the same record.
 */
import { projectOwner } from '../followUp/ownerEvents';
import { higherStage, type Stage } from '../marketplace/stage';
import { appliedChanges } from './attempts';
import {
  ERASED_FLAG,
  type LeadArrivalEvent,
  type LeadEvent,
  type LeadRecord,
  PERSON_FIELDS,
  type PersonFields,
  type ReminderSentEvent,
} from './model';
import { nurtureFields } from './nurtureFields';

/** A body POSTed again within this time of the previous arrival with the same body is the same event. */
export const SAME_POST_WINDOW_MS = 10 * 60_000;

/**
 * Arrivals that repeat an earlier one: the same body (contentKey) arriving within SAME_POST_WINDOW_MS of the
 * previous arrival with that body, as a sender retrying a POST it never saw answered does. Maps each repeat to the
 * first arrival of its run. A pure function of the set of events, so every order of processing agrees.
 */
export function repeatedArrivals(events: readonly LeadEvent[]): Map<string, string> {
  const repeats = new Map<string, string>();
  const previous = new Map<string, { at: number; first: string }>();
  for (const e of [...events].sort(byTime)) {
    if (e.kind !== 'arrival' || e.contentKey === undefined) continue;
    const at = Date.parse(e.at);
    const before = previous.get(e.contentKey);
    const repeat = before !== undefined && at - before.at <= SAME_POST_WINDOW_MS;
    if (repeat) repeats.set(e.eventId, before.first);
    previous.set(e.contentKey, { at, first: repeat ? before.first : e.eventId });
  }
  return repeats;
}

/** The history as it happened: repeated POSTs of one lead count once. */
export function withoutRepeats<E extends LeadEvent>(events: readonly E[]): E[] {
  const repeats = repeatedArrivals(events);
  return repeats.size === 0 ? [...events] : events.filter((e) => !repeats.has(e.eventId));
}

function byTime(a: LeadEvent, b: LeadEvent): number {
  return a.at < b.at ? -1 : a.at > b.at ? 1 : a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

/** Latest non-blank value wins: a later lead fills what earlier ones lacked and updates what changed, a blank never erases. */
function bestPerson(arrivals: LeadArrivalEvent[]): PersonFields {
  const person: PersonFields = {};
  for (const event of arrivals) {
    for (const field of PERSON_FIELDS) {
      const value = event[field];
      if (value !== undefined && value !== '') person[field] = value;
    }
  }
  return person;
}

export function projectLead(
  identity: { leadId: string; offerKey: string; identityKind: LeadRecord['identityKind'] },
  events: readonly LeadEvent[],
): LeadRecord | undefined {
  const sorted = withoutRepeats(events).sort(byTime);
  const arrivals = sorted.filter((e): e is LeadArrivalEvent => e.kind === 'arrival');
  const first = arrivals[0];
  const last = arrivals[arrivals.length - 1];
  if (!first || !last) return undefined;

  const stage = arrivals.reduce<Stage>((s, e) => higherStage(s, e.stage), first.stage);
  // Attempts count as contacted-over-new: the speed-to-lead clock stops at the first one, however recorded.
  const statusChanges = appliedChanges(sorted);
  const latestStatus = statusChanges[statusChanges.length - 1];
  const latestEvent = latestStatus?.event;
  const firstContact = statusChanges.find((e) => e.status !== 'new');
  const latest = <K extends 'offerId' | 'publisherId' | 'offerTitle'>(field: K): LeadArrivalEvent[K] =>
    [...arrivals].reverse().find((e) => e[field] !== undefined && e[field] !== '')?.[field];

  return {
    leadId: identity.leadId,
    offerKey: identity.offerKey,
    identityKind: identity.identityKind,
    ...bestPerson(arrivals),
    offerId: latest('offerId'),
    publisherId: latest('publisherId'),
    offerTitle: latest('offerTitle'),
    stage,
    status: latestStatus?.status ?? 'new',
    statusChangedAt: latestStatus?.at,
    statusNote: latestEvent?.kind === 'status' ? latestEvent.note : undefined,
    statusBy: latestEvent?.by,
    firstContactedAt: firstContact?.at,
    firstSeenAt: first.at,
    lastSeenAt: last.at,
    eventCount: arrivals.length,
    sources: [...new Set(arrivals.map((e) => e.source))],
    lastAction: last.action,
    isTest: arrivals.some((e) => e.isTest),
    doNotContact: stage === 'doNotContact',
    unrecognised: arrivals.every((e) => e.unrecognised),
    flags: [...new Set(arrivals.flatMap((e) => e.flags))].sort(),
    remindedAt: reminderSince(sorted, 'remind')?.at,
    escalatedAt: reminderSince(sorted, 'escalate')?.at,
    ...ownerFields(sorted),
    ...nurtureFields(sorted, arrivals),
  };
}

function ownerFields(events: readonly LeadEvent[]): Pick<LeadRecord, 'owner' | 'ownerSince'> {
  const owner = projectOwner(events);
  return owner === undefined ? {} : { owner: owner.owner, ownerSince: owner.since };
}

/**
 * The reminder of this kind sent since the last status change. Setting a lead back to `new` starts its follow-up
 * over, so reminders sent before that no longer count.
 */
export function reminderSince(
  events: readonly LeadEvent[],
  kind: 'remind' | 'escalate',
): ReminderSentEvent | undefined {
  const applied = new Set(appliedChanges(events).map((c) => c.event));
  let found: ReminderSentEvent | undefined;
  for (const e of [...events].sort(byTime)) {
    if ((e.kind === 'status' || e.kind === 'attempt') && applied.has(e)) found = undefined;
    else if (e.kind === 'reminder' && e.reminder === kind) found ??= e;
  }
  return found;
}

/** Whether the reminder timer should ever look at this record. */
export function needsFollowUp(record: LeadRecord): boolean {
  return (
    record.status === 'new' &&
    !record.doNotContact &&
    !record.isTest &&
    !record.unrecognised &&
    !record.flags.includes(ERASED_FLAG)
  );
}
