/**
 * `DELETE /api/leads/{id}`: erases a person from a lead and everything derived from it, keeping an anonymised
 * tombstone. Steps in order (identify → identity rows → copies → events → tombstone → follow-ups), each idempotent,
 * so a retry after a crash completes the job: until the tombstone is written the record still names the person, and
 * a retry still finds their copies. What is removed and how copies are matched: docs/api.md ("erasure on request").
 * The tombstone is a change of the record like any other: its version is handed off to the CRM (docs/crm.md,
 * Erasure), so the CRM hears of the erasure. Last of all, every hand-off intent still in the lead's partition is
 * queued, this call's and any an earlier call left (its queue failed, or a later step did): an erased lead has no
 * next change, so erasing it again is how that hand-off reaches the CRM.
 */
import { isDeepStrictEqual } from 'node:util';

import type { TableClient } from '@azure/data-tables';
import type { QueueClient } from '@azure/storage-queue';

import { withoutUndefined } from '../../objects';
import { type ChangeHandOff, handOverChange, type HandOverReport } from '../../record/changeHandOff';
import { UNKNOWN_OFFER } from '../../record/identity';
import type { StoredIntent } from '../../record/intents';
import type { LeadEvent, LeadRecord } from '../../record/model';
import { projectLead, repeatedArrivals } from '../../record/projection';
import { MAX_TRANSACTION_OPERATIONS, type RecordStore } from '../../record/recordStore';
import { type LeadView, leadView } from '../leadView';
import { listLead } from '../listing';
import { anonymiseEvent, erasedRecordFields, holdsPersonalData, personKeys } from './anonymise';
import { erasePoison, eraseRejected } from './copies';
import { eraseKeptPoison } from './keptPoison';
import { placement } from './placement';

/** Where copies of a lead outside its record live: each is scanned for the person (copies.ts, keptPoison.ts). */
export interface LeadCopies {
  rejected: TableClient;
  /** PoisonedLeads: poison messages kept for good (queue/poisoned.ts). */
  poisoned: TableClient;
  poisonQueue: QueueClient;
  /** `<queue>-poison-poison`: where the host puts a poison message that no function could take (not base64). */
  poisonPoisonQueue: QueueClient;
}

/** `effects` and `queues`: the CRM hand-off the tombstone's version owes (saveEffects.ts changeEffects). */
export interface ErasureDeps extends ChangeHandOff {
  store: RecordStore;
  copies: LeadCopies;
}

export interface ErasureReport {
  leadId: string;
  /** `erased` when this call removed anything; `alreadyErased` when an earlier call had removed it all. */
  result: 'erased' | 'alreadyErased';
  erased: {
    recordFields: string[];
    events: number;
    rawPayloads: number;
    identityRows: number;
    followUps: number;
    rejectedMessages: number;
    poisonMessages: number;
  };
  tombstone: LeadView;
}

/** The report (the answer), and why the tombstone's hand-off could not be queued, if it could not (for the log). */
export interface ErasureResult extends HandOverReport {
  report: ErasureReport;
}

const MAX_ROUNDS = 10;

/** The events that still hold personal data, anonymised, and what they held. */
function anonymised(events: readonly LeadEvent[]): { events: LeadEvent[]; rawPayloads: number } {
  const repeats = repeatedArrivals(events);
  const out: LeadEvent[] = [];
  let rawPayloads = 0;
  for (const event of events) {
    if (!holdsPersonalData(event)) continue;
    if (event.kind === 'arrival' && event.rawBody !== '') rawPayloads++;
    out.push(anonymiseEvent(event, repeats.get(event.eventId)));
  }
  return { events: out, rawPayloads };
}

export async function eraseLead(deps: ErasureDeps, leadId: string): Promise<ErasureResult | undefined> {
  const { store } = deps;
  const stored = await store.getRecord(leadId);
  const events = await store.listEvents(leadId);
  if (!stored && events.length === 0) return undefined;

  const person = personKeys(stored?.record, events);
  const placed = placement(events);
  const identityRows = await store.deleteIdentityRows(leadId, placed.hashes);
  // The accounts index holds only hashes and the offer, but it still says this person came: gone with the rest.
  await store.deleteAccountRows(leadId);
  // The search index holds names and addresses (hex-encoded, not hashed): every row of this lead, whatever wrote it.
  await store.deleteSearchRowsOf(leadId);
  const rejectedMessages = await eraseRejected(deps.copies.rejected, person);
  // Poison messages still in the queue and those kept for good in the PoisonedLeads table (the queue first: what
  // keepPoisonedLead takes from it goes to the table). Read again at the end, below.
  let poisonMessages =
    (await erasePoison(deps.copies.poisonQueue, person)) +
    (await erasePoison(deps.copies.poisonPoisonQueue, person)) +
    (await eraseKeptPoison(deps.copies.poisoned, person));

  const counts = { events: 0, rawPayloads: 0 };
  const identity = {
    leadId,
    offerKey: stored?.record.offerKey ?? placed.offerKey ?? UNKNOWN_OFFER,
    identityKind: stored?.record.identityKind ?? placed.identityKind ?? 'none',
  };
  let tombstone: LeadRecord | undefined;
  for (let round = 1; tombstone === undefined; round++) {
    if (round > MAX_ROUNDS) throw new Error(`Lead ${leadId} kept changing while it was being erased`);
    const { stored: current, events: latest } = await store.readLead(leadId);
    const done = anonymised(latest);
    const repeats = repeatedArrivals(latest);
    const next = projectLead(
      identity,
      latest.map((e) => (holdsPersonalData(e) ? anonymiseEvent(e, repeats.get(e.eventId)) : e)),
    );
    // Unreachable through the app (every record is a projection of at least one arrival event), and answering
    // with the record as it stands would hand back the very data we were asked to erase.
    if (!next) throw new Error(`Lead ${leadId} has no arrival events to build a tombstone from`);
    const same = current !== undefined && isDeepStrictEqual(withoutUndefined(current.record), withoutUndefined(next));
    if (!same || done.events.length > 0) {
      const version = (current?.version ?? 0) + 1;
      const owed = (await deps.effects?.({ before: current?.record, next, events: latest, version })) ?? {
        events: [],
        intents: [],
      };
      // An erasure stores anonymised events only; what it owes besides is an intent (the hand-off), never an event.
      if (owed.events.length > 0) throw new Error(`The erasure of lead ${leadId} was asked to add events`);
      await store.noteChange(leadId, version);
      // Events, intents and tombstone in one transaction when they fit; a longer history is anonymised first.
      const together = done.events.length + owed.intents.length < MAX_TRANSACTION_OPERATIONS;
      if (!together) await store.replaceEvents(leadId, done.events);
      const saved = await store.commitLead({
        record: next,
        etag: current?.etag,
        version,
        replace: together ? done.events : [],
        intents: owed.intents,
      });
      // A processor that stored an event between our read and this write makes it conflict: go round again.
      if (saved === 'conflict') continue;
      counts.events += done.events.length;
      counts.rawPayloads += done.rawPayloads;
    }
    if (!(await store.listEvents(leadId)).some(holdsPersonalData)) tombstone = next;
  }
  // The listing shows the tombstone from now on, not after the next catch-up.
  await listLead(store, leadId);
  const followUps = await store.deleteFollowUpsOf(leadId);
  // An alert still waiting to be taken holds the account line (a domain) and the owner's address; its deliverer
  // would skip an erased record, but the row would stay until then. Hand-offs hold ids only: the CRM hears of this.
  const handOffs: StoredIntent[] = [];
  for (const stored of (await store.readLead(leadId)).intents ?? []) {
    if (stored.intent.kind === 'alert') await store.settleIntent(leadId, stored.rowKey, stored.etag);
    else handOffs.push(stored);
  }

  // keepPoisonedLead may have held one of her poison messages (hidden from the queue's scan) and kept it in the
  // table after the scan above read it: a copy a later replay would bring back. The erasure's own steps are the time
  // that gives it to land; one that lands later still is the window docs/api.md describes.
  poisonMessages += await eraseKeptPoison(deps.copies.poisoned, person);

  const erased = {
    recordFields: erasedRecordFields(stored?.record),
    ...counts,
    identityRows,
    followUps,
    rejectedMessages,
    poisonMessages,
  };
  const anything =
    erased.recordFields.length > 0 || Object.entries(erased).some(([k, v]) => k !== 'recordFields' && v !== 0);
  const report: ErasureReport = {
    leadId,
    result: anything ? 'erased' : 'alreadyErased',
    erased,
    tombstone: leadView(tombstone),
  };
  // Every hand-off still in the partition, this call's included: one an earlier call stored and never queued has
  // no other way out. Queued twice is harmless (the deliverer skips a delivered version and forgets its row).
  return { report, ...(await handOverChange(deps.queues, { pending: handOffs })) };
}
