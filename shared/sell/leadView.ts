/**
 * What the API shows of a record and its events. `emailMatch` is an internal matching key and `rawBody` the
 * payload as Microsoft sent it: neither is part of a listing; the raw payload only appears in a single lead's
 * history when explicitly asked for (`?raw=true`), for an operator diagnosing a parse problem.
 */
import { appliedChanges } from '../record/attempts';
import type { LeadEvent, LeadRecord } from '../record/model';
import { withoutRepeats } from '../record/projection';

export type LeadView = Omit<LeadRecord, 'emailMatch'>;

export type EventView = LeadEvent extends infer E
  ? E extends { kind: 'arrival' }
    ? Omit<E, 'emailMatch' | 'rawBody'> & { rawBody?: string }
    : E extends { kind: 'status' }
      ? E & { applied: boolean }
      : E
  : never;

export function leadView(record: LeadRecord): LeadView {
  const { emailMatch: _matchKey, ...view } = record;
  void _matchKey;
  return view;
}

/** `appliedStatus`: the status events that took effect (a conditional one may not have; see StatusChangeEvent.onlyIf). */
export function eventView(event: LeadEvent, includeRaw: boolean, appliedStatus: ReadonlySet<LeadEvent>): EventView {
  if (event.kind === 'status') return { ...event, applied: appliedStatus.has(event) };
  if (event.kind !== 'arrival') return event;
  const { emailMatch: _matchKey, rawBody, ...view } = event;
  void _matchKey;
  return includeRaw ? { ...view, rawBody } : view;
}

/** Oldest first, ties by id: the order the record was folded in (projection.ts), so the history reads as it happened. */
export function historyView(events: readonly LeadEvent[], includeRaw: boolean): EventView[] {
  const applied = new Set<LeadEvent>(
    appliedChanges(events).flatMap((c) => (c.event.kind === 'status' ? [c.event] : [])),
  );
  // A repeated POST of a lead is the same event (projection.ts): it is not shown twice.
  return withoutRepeats(events)
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0))
    .map((e) => eventView(e, includeRaw, applied));
}
