/**
 * Brings a lead record and its follow-up index in line with its events. Every writer (processing, status
 * changes, reminders) appends an event first and then calls this, so a crash between the two steps leaves an
 * event that the next rebuild (a retry, or any later event) folds in.
 */
import { isDeepStrictEqual } from 'node:util';

import { withoutUndefined } from '../objects';
import { dueBucket, type FollowUpKind } from './keys';
import type { LeadEvent, LeadRecord } from './model';
import { needsFollowUp, projectLead } from './projection';
import type { RecordStore } from './recordStore';

export interface FollowUpPolicy {
  followUpHours: number;
  escalateAfterHours: number;
}

export interface LeadIdentity {
  leadId: string;
  offerKey: string;
  identityKind: LeadRecord['identityKind'];
}

// Concurrent messages for one customer each retry on a conflict; 20 at once settle well within this.
const MAX_ATTEMPTS = 40;

const hoursAfter = (iso: string, hours: number): string => new Date(Date.parse(iso) + hours * 3600_000).toISOString();

function wantedFollowUps(record: LeadRecord | undefined, policy: FollowUpPolicy): Map<FollowUpKind, string> {
  const wanted = new Map<FollowUpKind, string>();
  if (!record || !needsFollowUp(record)) return wanted;
  if (!record.remindedAt) wanted.set('remind', hoursAfter(record.firstSeenAt, policy.followUpHours));
  if (!record.escalatedAt) wanted.set('escalate', hoursAfter(record.firstSeenAt, policy.escalateAfterHours));
  return wanted;
}

/** Puts the entries the record wants; puts only insert when absent, so an entry with recipients marked keeps them. */
async function putWantedFollowUps(
  store: RecordStore,
  record: LeadRecord,
  policy: FollowUpPolicy,
): Promise<Map<FollowUpKind, string>> {
  const wants = wantedFollowUps(record, policy);
  for (const [kind, dueAt] of wants) await store.putFollowUp({ kind, leadId: record.leadId, dueAt, sentTo: [] });
  return wants;
}

/** Where an entry lives: its due hour and kind. Two due times in the same hour are the same row. */
const rowOf = (kind: FollowUpKind, dueAt: string): string => `${kind}@${dueBucket(new Date(dueAt))}`;

/**
 * Puts the entries the record wants and deletes any it may have had at an older version's or its own first-seen
 * time that it no longer wants (contacted, reminded, or first-seen moved earlier by a late-processed lead). Rows are
 * compared by key, not by due time: when first-seen moves within one hour the wanted entry and the old one are the
 * same row, which must be kept and given the new due time, never deleted.
 */
async function syncFollowUps(
  store: RecordStore,
  older: readonly (LeadRecord | undefined)[],
  after: LeadRecord,
  policy: FollowUpPolicy,
): Promise<void> {
  const wants = wantedFollowUps(after, policy);
  const firstSeen = new Set([after.firstSeenAt, ...older.map((r) => r?.firstSeenAt ?? after.firstSeenAt)]);
  const possible = [...firstSeen].flatMap((seen): [FollowUpKind, string][] => [
    ['remind', hoursAfter(seen, policy.followUpHours)],
    ['escalate', hoursAfter(seen, policy.escalateAfterHours)],
  ]);
  for (const [kind, dueAt] of wants) {
    const moved = possible.some(([k, d]) => k === kind && d !== dueAt && rowOf(k, d) === rowOf(kind, dueAt));
    // An older version's entry may hold this row with its own due time: overwrite the time, keep the recipients.
    if (moved) await store.setFollowUpDue({ kind, leadId: after.leadId, dueAt });
    else await store.putFollowUp({ kind, leadId: after.leadId, dueAt, sentTo: [] });
  }
  const kept = new Set([...wants].map(([kind, dueAt]) => rowOf(kind, dueAt)));
  const deleted = new Set<string>();
  for (const [kind, dueAt] of possible) {
    const row = rowOf(kind, dueAt);
    if (kept.has(row) || deleted.has(row)) continue;
    deleted.add(row);
    await store.deleteFollowUp(kind, after.leadId, dueAt);
  }
}

/**
 * Syncs the index to `record`, then checks the record did not change meanwhile. Index writes are not guarded by
 * the record's ETag, so an older writer's delete can land after a newer writer's put; whoever sees the record
 * moved on syncs again against the latest version, so the last word always matches the stored record. The same
 * re-read repairs the index after a concurrent writer that saved and then failed before its own sync.
 */
async function syncUntilSettled(
  store: RecordStore,
  older: readonly (LeadRecord | undefined)[],
  record: LeadRecord,
  policy: FollowUpPolicy,
): Promise<void> {
  let previous = older;
  let current = record;
  for (let round = 0; round < MAX_ATTEMPTS; round++) {
    await syncFollowUps(store, previous, current, policy);
    const latest = await store.getRecord(current.leadId);
    if (!latest || isDeepStrictEqual(withoutUndefined(latest.record), withoutUndefined(current))) return;
    previous = [current];
    current = latest.record;
  }
  throw new Error(`Lead ${record.leadId} kept changing while its follow-up index was updated`);
}

/** Returns the record as stored after the rebuild (undefined when the lead has no arrival events). */
export async function rebuildLead(
  store: RecordStore,
  identity: LeadIdentity,
  policy: FollowUpPolicy,
  /** A version this caller indexed without saving it (a first lead's lost create): its entries may need undoing. */
  unsaved?: LeadRecord,
): Promise<LeadRecord | undefined> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    // Read the record before the events: if another writer adds an event after our read, its save changes the
    // ETag and ours fails, so the last successful save has always seen every event.
    const stored = await store.getRecord(identity.leadId);
    const events = await store.listEvents(identity.leadId);
    const next = projectLead(
      stored ? { ...identity, offerKey: stored.record.offerKey, identityKind: stored.record.identityKind } : identity,
      events,
    );
    if (!next) return undefined;
    if (stored && isDeepStrictEqual(withoutUndefined(stored.record), withoutUndefined(next))) {
      // Nothing changed, but a crash after an earlier save may have left the index behind: sync it anyway.
      await syncUntilSettled(store, [stored.record, unsaved], next, policy);
      return next;
    }
    if ((await store.saveRecord(next, stored?.etag)) === 'saved') {
      await syncUntilSettled(store, [stored?.record, unsaved], next, policy);
      return next;
    }
    await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 10 * attempt)));
  }
  throw new Error(`Lead ${identity.leadId} kept changing during ${MAX_ATTEMPTS} attempts to save it`);
}

/**
 * Fast path for a record this caller just created the identity for: save the projection of its own events
 * without reading first. If the record exists already (a retry, or another lead of the customer was quicker),
 * the create fails and the full rebuild takes over. A record created here may lack another writer's event, but
 * that writer's own rebuild (or its message's retry) folds it in, exactly as after any concurrent save.
 */
export async function createOrRebuildLead(
  store: RecordStore,
  identity: LeadIdentity,
  ownEvents: readonly LeadEvent[],
  policy: FollowUpPolicy,
): Promise<LeadRecord | undefined> {
  const record = projectLead(identity, ownEvents);
  if (!record) return rebuildLead(store, identity, policy);
  // Entries first, record second, and no settle read. Every other writer reads the record before it saves and
  // syncs, so once this record exists our puts are behind us and their sync sees (and deletes) what they no longer
  // want. Putting after the create instead could land an entry after a newer version's sync had removed it. A new
  // record has no older entries to delete, and deleting what this version does not want (a do-not-contact first
  // lead) could remove entries a newer version has just put.
  await putWantedFollowUps(store, record, policy);
  if ((await store.saveRecord(record, undefined)) === 'saved') return record;
  // Someone saved first: the rebuild syncs against their version and ours, so our puts are undone if unwanted.
  return rebuildLead(store, identity, policy, record);
}
