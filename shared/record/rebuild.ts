/**
 * Brings a lead record and its follow-up index in line with its events. Every writer (processing, status
 * changes, reminders) appends an event first and then calls this, so a crash between the two steps leaves an
 * event that the next rebuild (a retry, or any later event) folds in.
 */
import { isDeepStrictEqual } from 'node:util';

import { withoutUndefined } from '../objects';
import type { FollowUpKind } from './keys';
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

/**
 * Puts the entries the record wants and deletes any it may have had at its old or current first-seen time that it
 * no longer wants (contacted, reminded, or first-seen moved earlier by a late-processed lead).
 */
async function syncFollowUps(
  store: RecordStore,
  before: LeadRecord | undefined,
  after: LeadRecord,
  policy: FollowUpPolicy,
): Promise<void> {
  const wants = await putWantedFollowUps(store, after, policy);
  const firstSeen = new Set([after.firstSeenAt, before?.firstSeenAt ?? after.firstSeenAt]);
  for (const seen of firstSeen) {
    const possible: [FollowUpKind, string][] = [
      ['remind', hoursAfter(seen, policy.followUpHours)],
      ['escalate', hoursAfter(seen, policy.escalateAfterHours)],
    ];
    for (const [kind, dueAt] of possible) {
      if (wants.get(kind) !== dueAt) await store.deleteFollowUp(kind, after.leadId, dueAt);
    }
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
  before: LeadRecord | undefined,
  record: LeadRecord,
  policy: FollowUpPolicy,
): Promise<void> {
  let previous = before;
  let current = record;
  for (let round = 0; round < MAX_ATTEMPTS; round++) {
    await syncFollowUps(store, previous, current, policy);
    const latest = await store.getRecord(current.leadId);
    if (!latest || isDeepStrictEqual(withoutUndefined(latest.record), withoutUndefined(current))) return;
    previous = current;
    current = latest.record;
  }
  throw new Error(`Lead ${record.leadId} kept changing while its follow-up index was updated`);
}

/** Returns the record as stored after the rebuild (undefined when the lead has no arrival events). */
export async function rebuildLead(
  store: RecordStore,
  identity: LeadIdentity,
  policy: FollowUpPolicy,
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
      await syncUntilSettled(store, stored.record, next, policy);
      return next;
    }
    if ((await store.saveRecord(next, stored?.etag)) === 'saved') {
      await syncUntilSettled(store, stored?.record, next, policy);
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
  if (record && (await store.saveRecord(record, undefined)) === 'saved') {
    // Puts only, and no settle read. A record created just now has no older entries to delete, and deleting what
    // this version does not want (a do-not-contact first lead) could remove entries a newer version, saved by the
    // customer's next lead in the meantime, has just put. This early the only other writers are the customer's
    // other leads, and each of them settles after its own save (or its message is retried until it does). A put
    // can at worst leave an entry a newer version no longer wants; the reminder run checks every due entry against
    // the record and drops those unmailed.
    await putWantedFollowUps(store, record, policy);
    return record;
  }
  return rebuildLead(store, identity, policy);
}
