/**
 * Keeps the listing (the month tables the lead list, export and stats read, docs/storage.md) caught up with the
 * records. Every writer notes a change (LeadChanges) before it saves a record; catching up lists the record as
 * stored and forgets the note. Listing rows only move forward: a row is replaced only by a newer version of its
 * record, and only if nobody replaced it since it was read, so two passes at once can never list an older version.
 */
import type { RecordStore } from '../record/recordStore';

const MAX_ATTEMPTS = 5;
/**
 * A note younger than this whose record is not yet at the noted version belongs to a writer still under way (its
 * save comes after the note): leave it for the next pass. Older, the writer has failed; list what is stored. Longer
 * than a writer's storage deadline (30 s) with its retries.
 */
export const WRITER_GRACE_MS = 120_000;

/** Lists the lead's record as stored now, unless the listing already shows that version or a newer one. */
export async function listLead(store: RecordStore, leadId: string): Promise<void> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const stored = await store.getRecord(leadId);
    if (!stored) return;
    const listed = await store.listedVersion(leadId);
    if (listed && listed.version >= stored.version) return;
    if ((await store.putListing(stored.record, stored.version, listed?.etag)) === 'saved') return;
  }
  throw new Error(`Lead ${leadId}: its listing row kept changing while it was being caught up`);
}

export interface CatchUp {
  /** Changes listed and forgotten. */
  listed: number;
  /** Changes left for a later pass (a writer still under way, or more than `max`). */
  pending: number;
}

/** Lists up to `max` noted changes, oldest first. */
export async function catchUpListing(store: RecordStore, now: Date, max: number): Promise<CatchUp> {
  const changes = await store.pendingChanges(max + 1);
  const result: CatchUp = { listed: 0, pending: Math.max(0, changes.length - max) };
  for (const change of changes.slice(0, max)) {
    const stored = await store.getRecord(change.leadId);
    const underWay = (stored?.version ?? 0) < change.version && now.getTime() - Date.parse(change.at) < WRITER_GRACE_MS;
    if (underWay) {
      result.pending++;
      continue;
    }
    await listLead(store, change.leadId);
    // Noted again meanwhile (a newer save on its way): it stays, and the next pass lists that one.
    if (await store.clearChange(change)) result.listed++;
    else result.pending++;
  }
  return result;
}
