/**
 * The owner in a record's history: an `owner` event, like a status change. Processing records the automatic
 * assignments (rotation, customer, account, a hand-over when an owner left the settings); `PATCH /api/leads/{id}`
 * and the dashboard record a person's reassignment. The record's owner is a fold over these events, so it depends
 * only on the set of events, as every other field of the record does (docs/storage.md).
 */
import { bad, ok, type Parsed } from '../http/problems';
import { spellingIn } from './owners';
import { sameAddress } from './run/addresses';

export const OWNER_VIAS = ['rotation', 'customer', 'account', 'api', 'dashboard'] as const;
export type OwnerVia = (typeof OWNER_VIAS)[number];

export interface OwnerChangeEvent {
  kind: 'owner';
  eventId: string;
  at: string;
  owner: string;
  via: OwnerVia;
  /** Who reassigned (API and dashboard). */
  by?: string;
  note?: string;
  /**
   * Automatic assignments apply only if the lead's owner at the event's place in the history is this one (null:
   * no owner yet). So two processings that each saw no owner cannot both assign, and a hand-over from an owner
   * who left never overrides a person's later choice. A person's reassignment has no condition.
   */
  onlyIf?: { owner: string | null };
}

export interface RecordOwner {
  owner: string;
  via: OwnerVia;
  /** When the current owner got the lead. */
  since: string;
  by?: string;
}

interface TimedEvent {
  kind: string;
  eventId: string;
  at: string;
}

// The order projection.ts folds a history in: time, then event id.
function byTime(a: TimedEvent, b: TimedEvent): number {
  return a.at < b.at ? -1 : a.at > b.at ? 1 : a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

function isOwnerEvent(e: TimedEvent): e is OwnerChangeEvent {
  return e.kind === 'owner';
}

function sameOwner(a: string | null, b: string | null): boolean {
  return a === null || b === null ? a === b : sameAddress(a, b);
}

/** The owner events that took effect, in history order. */
export function appliedOwnerChanges(events: readonly TimedEvent[]): OwnerChangeEvent[] {
  const applied: OwnerChangeEvent[] = [];
  let owner: string | null = null;
  for (const e of [...events].filter(isOwnerEvent).sort(byTime)) {
    if (e.onlyIf !== undefined && !sameOwner(e.onlyIf.owner, owner)) continue;
    applied.push(e);
    owner = e.owner;
  }
  return applied;
}

/** The record's owner: the last owner event that took effect. Other kinds of event are ignored. */
export function projectOwner(events: readonly TimedEvent[]): RecordOwner | undefined {
  const applied = appliedOwnerChanges(events);
  const last = applied[applied.length - 1];
  if (last === undefined) return undefined;
  return { owner: last.owner, via: last.via, since: last.at, by: last.by };
}

/** The event for an automatic assignment (decideOwner's `assign`), conditional on the owner it saw. */
export function automaticOwnerEvent(
  decision: { owner: string; via: 'customer' | 'account' | 'rotation'; replaces?: string },
  eventId: string,
  at: string,
): OwnerChangeEvent {
  return {
    kind: 'owner',
    eventId,
    at,
    owner: decision.owner,
    via: decision.via,
    onlyIf: { owner: decision.replaces ?? null },
  };
}

/**
 * The `owner` field of a PATCH body: an address the settings name (a route, the defaults), returned as the settings
 * spell it. Any other address is refused: reminders carry customers' personal data, so the API must not be able to
 * send them somewhere new, and a typo would leave a lead without anyone hearing of it.
 */
export function parseOwnerField(value: unknown, known: readonly string[]): Parsed<string> {
  if (typeof value !== 'string' || value.trim() === '') return bad('owner', 'type', 'must be an email address');
  const owner = spellingIn(known, value);
  if (owner === undefined) {
    return bad('owner', 'known', 'must be one of the recipients named in REMINDER_ROUTES or REMINDER_RECIPIENTS');
  }
  return ok(owner.trim());
}

/** The event for a person's reassignment. */
export function reassignmentEvent(
  change: { owner: string; via: 'api' | 'dashboard'; by?: string; note?: string },
  eventId: string,
  at: string,
): OwnerChangeEvent {
  return { kind: 'owner', eventId, at, owner: change.owner, via: change.via, by: change.by, note: change.note };
}
