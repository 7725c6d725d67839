/**
 * Brings a lead record and its follow-up index in line with its events. Every writer (processing, status
 * changes, reminders) appends an event first and then calls this, so a crash between the two steps leaves an
 * event that the next rebuild (a retry, or any later event) folds in.
 */
import { isDeepStrictEqual } from 'node:util';
import type { FollowUpKind } from './keys';
import type { LeadStore } from './leadStore';
import type { LeadEvent, LeadRecord } from './model';
import { needsFollowUp, projectLead } from './projection';

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

/**
 * Puts the entries the record wants and deletes any it may have had at its old or current first-seen time that it
 * no longer wants (contacted, reminded, or first-seen moved earlier by a late-processed lead).
 */
async function syncFollowUps(
  store: LeadStore,
  before: LeadRecord | undefined,
  after: LeadRecord,
  policy: FollowUpPolicy,
  mode: 'changed' | 'resync',
): Promise<void> {
  const wants = wantedFollowUps(after, policy);
  const had = wantedFollowUps(before, policy);
  for (const [kind, dueAt] of wants) {
    // After a save, an entry the previous version already wanted was put by that version's writer (or will be,
    // when its message is retried after a crash, which resyncs): skip the round trip.
    if (mode === 'changed' && had.get(kind) === dueAt) continue;
    await store.putFollowUp({ kind, leadId: after.leadId, dueAt, sentTo: [] });
  }
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

/** Returns the record as stored after the rebuild (undefined when the lead has no arrival events). */
export async function rebuildLead(store: LeadStore, identity: LeadIdentity, policy: FollowUpPolicy): Promise<LeadRecord | undefined> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    // Read the record before the events: if another writer adds an event after our read, its save changes the
    // ETag and ours fails, so the last successful save has always seen every event.
    const stored = await store.getLead(identity.leadId);
    const events = await store.listEvents(identity.leadId);
    const next = projectLead(stored ? { ...identity, offerKey: stored.record.offerKey, identityKind: stored.record.identityKind } : identity, events);
    if (!next) return undefined;
    if (stored && isDeepStrictEqual(stripUndefined(stored.record), stripUndefined(next))) {
      // Nothing changed, but a crash after an earlier save may have left the index behind: sync it anyway.
      await syncFollowUps(store, stored.record, next, policy, 'resync');
      return next;
    }
    if ((await store.saveLead(next, stored?.etag)) === 'saved') {
      await syncFollowUps(store, stored?.record, next, policy, 'changed');
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
  store: LeadStore,
  identity: LeadIdentity,
  ownEvents: readonly LeadEvent[],
  policy: FollowUpPolicy,
): Promise<LeadRecord | undefined> {
  const record = projectLead(identity, ownEvents);
  if (record && (await store.saveLead(record, undefined)) === 'saved') {
    await syncFollowUps(store, undefined, record, policy, 'changed');
    return record;
  }
  return rebuildLead(store, identity, policy);
}

function stripUndefined(record: LeadRecord): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}
