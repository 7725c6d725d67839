/**
 * `DELETE /api/leads/{id}`: erases a person from a lead and everything the app derived from it, keeping an
 * anonymised tombstone so funnel counts do not change. Every step is idempotent and the order makes a retry
 * after a crash complete the job:
 *  1. read the record and events, and derive what identifies the person (emails, phones, identity hashes) while the
 *     data is still there;
 *  2. delete the identity rows, so a new lead from the person starts a fresh record instead of joining this one;
 *  3. delete rejected rows and poison messages (queued or kept) that are the person's (parsed and compared, see
 *     copyMatch.ts);
 *  4. anonymise the events (the raw payload included);
 *  5. write the tombstone (the projection of the anonymised events), re-checking for an event a concurrent
 *     processor appended meanwhile;
 *  6. delete the follow-up index entries.
 * Until step 5 the record still carries the person's email and phone, so a retry still finds their copies in step 3.
 */
import { isDeepStrictEqual } from 'node:util';

import { odata, type TableClient } from '@azure/data-tables';
import type { QueueClient } from '@azure/storage-queue';

import { withoutUndefined } from '../../objects';
import { UNKNOWN_OFFER } from '../../record/identity';
import { identityKeys } from '../../record/keys';
import type { LeadEvent, LeadRecord } from '../../record/model';
import { projectLead, repeatedArrivals } from '../../record/projection';
import type { RecordStore } from '../../record/recordStore';
import { isNotFound } from '../../storage/tableErrors';
import { type LeadView, leadView } from '../leadView';
import { anonymiseEvent, erasedRecordFields, holdsPersonalData, personKeys } from './anonymise';
import { erasePoison, eraseRejected } from './copies';
import { eraseKeptPoison } from './keptPoison';
import { placement } from './placement';

export interface ErasureDeps {
  store: RecordStore;
  poisonQueue: QueueClient;
  /** `<queue>-poison-poison`: where the host puts a poison message that no function could take (not base64). */
  poisonPoisonQueue: QueueClient;
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

const MAX_ROUNDS = 10;

async function deleteIdentityRows(table: TableClient, leadId: string, hashes: readonly string[]): Promise<number> {
  const keys = new Map<string, { partitionKey: string; rowKey: string }>();
  for (const hash of hashes) {
    const k = identityKeys(hash);
    try {
      const row = await table.getEntity<{ leadId?: string }>(k.partitionKey, k.rowKey);
      // The same person may have a newer record under this hash (after an earlier erasure): that one is not ours.
      if (row.leadId === leadId) keys.set(k.rowKey, k);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  // Safety net for rows the hashes cannot find (payload already erased by a crashed call, or identity rules
  // changed since processing): a filtered scan of a table of one small row per record, acceptable for a rare call.
  for await (const row of table.listEntities<{ leadId?: string }>({
    queryOptions: { filter: odata`leadId eq ${leadId}` },
  })) {
    if (row.partitionKey !== undefined && row.rowKey !== undefined)
      keys.set(row.rowKey, { partitionKey: row.partitionKey, rowKey: row.rowKey });
  }
  let deleted = 0;
  for (const k of keys.values()) {
    try {
      await table.deleteEntity(k.partitionKey, k.rowKey);
      deleted++;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return deleted;
}

async function deleteFollowUps(table: TableClient, leadId: string): Promise<number> {
  let deleted = 0;
  // Entries live in due-hour partitions; the record's dates say where they should be, but a scan of this small
  // table (pending reminders only) also finds any an earlier first-seen time left behind.
  for (const rowKey of [`remind-${leadId}`, `escalate-${leadId}`]) {
    for await (const row of table.listEntities({ queryOptions: { filter: odata`RowKey eq ${rowKey}` } })) {
      if (row.partitionKey === undefined || row.rowKey === undefined) continue;
      try {
        await table.deleteEntity(row.partitionKey, row.rowKey);
        deleted++;
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }
  return deleted;
}

async function anonymiseEvents(
  store: RecordStore,
  leadId: string,
  events: readonly LeadEvent[],
): Promise<{ events: number; rawPayloads: number }> {
  let changed = 0;
  let rawPayloads = 0;
  const repeats = repeatedArrivals(events);
  for (const event of events) {
    if (!holdsPersonalData(event)) continue;
    if (event.kind === 'arrival' && event.rawBody !== '') rawPayloads++;
    await store.replaceEvent(leadId, anonymiseEvent(event, repeats.get(event.eventId)));
    changed++;
  }
  return { events: changed, rawPayloads };
}

export async function eraseLead(deps: ErasureDeps, leadId: string): Promise<ErasureReport | undefined> {
  const { store } = deps;
  const stored = await store.getRecord(leadId);
  const events = await store.listEvents(leadId);
  if (!stored && events.length === 0) return undefined;

  const person = personKeys(stored?.record, events);
  const placed = placement(events);
  const identityRows = await deleteIdentityRows(store.tables.leadKeys, leadId, placed.hashes);
  const rejectedMessages = await eraseRejected(store.tables.rejected, person);
  // Poison messages still in the queue and those kept for good in the PoisonedLeads table.
  const poisonMessages =
    (await erasePoison(deps.poisonQueue, person)) +
    (await erasePoison(deps.poisonPoisonQueue, person)) +
    (await eraseKeptPoison(store.tables.poisoned, person));

  const counts = { events: 0, rawPayloads: 0 };
  const identity = {
    leadId,
    offerKey: stored?.record.offerKey ?? placed.offerKey ?? UNKNOWN_OFFER,
    identityKind: stored?.record.identityKind ?? placed.identityKind ?? 'none',
  };
  let tombstone: LeadRecord | undefined;
  for (let round = 1; tombstone === undefined; round++) {
    if (round > MAX_ROUNDS) throw new Error(`Lead ${leadId} kept changing while it was being erased`);
    const current = await store.getRecord(leadId);
    const latest = await store.listEvents(leadId);
    const done = await anonymiseEvents(store, leadId, latest);
    counts.events += done.events;
    counts.rawPayloads += done.rawPayloads;
    const repeats = repeatedArrivals(latest);
    const next = projectLead(
      identity,
      latest.map((e) => (holdsPersonalData(e) ? anonymiseEvent(e, repeats.get(e.eventId)) : e)),
    );
    // Unreachable through the app (every record is a projection of at least one arrival event), and answering
    // with the record as it stands would hand back the very data we were asked to erase.
    if (!next) throw new Error(`Lead ${leadId} has no arrival events to build a tombstone from`);
    const same = current !== undefined && isDeepStrictEqual(withoutUndefined(current.record), withoutUndefined(next));
    // A processor that appended an event between our reads makes this save conflict: go round again.
    if (!same && (await store.saveRecord(next, current?.etag)) === 'conflict') continue;
    if (!(await store.listEvents(leadId)).some(holdsPersonalData)) tombstone = next;
  }
  const followUps = await deleteFollowUps(store.tables.followUps, leadId);

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
  return { leadId, result: anything ? 'erased' : 'alreadyErased', erased, tombstone: leadView(tombstone) };
}
