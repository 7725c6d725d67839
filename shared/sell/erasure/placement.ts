/**
 * The LeadKeys rows a record owns, recomputed the way processing computed them: each arrival event's raw payload
 * through toArrivalEvent. The hash is of offer × email/phone/name, i.e. pseudonymous personal data, and while it
 * exists a new lead from the same person would be merged into the tombstone. The same pass yields the offer key
 * and identity kind, which a record left unwritten by a crash would otherwise not tell us.
 */
import { toArrivalEvent } from '../../record/arrivalEvent';
import type { LeadEvent, LeadRecord } from '../../record/model';

export interface Placement {
  hashes: string[];
  offerKey?: string;
  identityKind?: LeadRecord['identityKind'];
}

export function placement(events: readonly LeadEvent[]): Placement {
  const hashes = new Set<string>();
  const out: Placement = { hashes: [] };
  for (const event of events) {
    if (event.kind !== 'arrival' || event.rawBody === '') continue;
    const placed = toArrivalEvent({
      v: 1,
      id: event.eventId,
      receivedAt: event.at,
      rawBody: event.rawBody,
      request: { queryKeys: [] },
    });
    if (!placed.ok) continue;
    out.offerKey ??= placed.offerKey;
    out.identityKind ??= placed.identityKind;
    if (placed.identityHash !== undefined) hashes.add(placed.identityHash);
  }
  out.hashes = [...hashes];
  return out;
}
