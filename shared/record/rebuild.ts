/**
 * Brings a lead record in line with its events, writing any new event and the record in one entity-group
 * transaction on the lead's partition, so a record never misses an event that is stored (docs/storage.md, "Exactly
 * once"). Around the transaction: the change is noted for the listing index, and the follow-up index is kept so
 * that every entry the saved record wants exists (written before the save) and entries it no longer wants are
 * removed after it (each only if no newer writer has touched it since).
 */
import { isDeepStrictEqual } from 'node:util';

import { DEFAULT_CADENCE_DAYS } from '../config/nurture';
import { planCadence, recordCadence } from '../followUp/cadence';
import { withoutUndefined } from '../objects';
import type { Intent, StoredIntent } from './intents';
import { dueBucket, type FollowUpKind } from './keys';
import type { LeadEvent, LeadRecord } from './model';
import { needsFollowUp, projectLead } from './projection';
import type { RecordStore } from './recordStore';

export interface FollowUpPolicy {
  followUpHours: number;
  escalateAfterHours: number;
  /** NURTURE_CADENCE_DAYS; absent: the default cadence. */
  cadenceDays?: readonly number[];
}

export interface LeadIdentity {
  leadId: string;
  offerKey: string;
  identityKind: LeadRecord['identityKind'];
}

// Concurrent messages for one customer each retry on a conflict; 20 at once settle well within this.
const MAX_ATTEMPTS = 40;

const hoursAfter = (iso: string, hours: number): string => new Date(Date.parse(iso) + hours * 3600_000).toISOString();

/**
 * The record as its events say it is, with its cadence block (which needs the cadence days): what a rebuild saves.
 */
export function projectRecord(
  identity: LeadIdentity,
  events: readonly LeadEvent[],
  policy: FollowUpPolicy,
): LeadRecord | undefined {
  const record = projectLead(identity, events);
  if (!record) return undefined;
  return { ...record, cadence: recordCadence(planCadence(record, events, policy.cadenceDays ?? DEFAULT_CADENCE_DAYS)) };
}

/** The entries a record wants: kind → due time. */
export function wantedFollowUps(record: LeadRecord | undefined, policy: FollowUpPolicy): Map<FollowUpKind, string> {
  const wanted = new Map<FollowUpKind, string>();
  if (!record) return wanted;
  // The next touch of the cadence, as the record saw it when saved (so the sync finds an older version's row).
  const cadence = record.cadence;
  if (cadence?.phase === 'running' && cadence.dueAt !== undefined && cadence.step !== undefined)
    wanted.set('nurture', cadence.dueAt);
  if (!needsFollowUp(record)) return wanted;
  if (!record.remindedAt) wanted.set('remind', hoursAfter(record.firstSeenAt, policy.followUpHours));
  if (!record.escalatedAt) wanted.set('escalate', hoursAfter(record.firstSeenAt, policy.escalateAfterHours));
  return wanted;
}

/** Where an entry lives: its kind and due hour. Two due times in the same hour are the same row. */
const rowOf = (kind: FollowUpKind, dueAt: string): string => `${kind}@${dueBucket(new Date(dueAt))}`;

interface Entry {
  kind: FollowUpKind;
  dueAt: string;
  /** A nurture entry's cadence step. */
  step?: number;
}

function entriesOf(record: LeadRecord | undefined, policy: FollowUpPolicy): Entry[] {
  return [...wantedFollowUps(record, policy)].map(([kind, dueAt]) =>
    kind === 'nurture' ? { kind, dueAt, step: record?.cadence?.step } : { kind, dueAt },
  );
}

/**
 * What a save of `next` changes in the follow-up index, given the versions whose entries may be there: the stored
 * one and any this writer put entries for without saving them. Entries `next` wants that none of them had exactly
 * (same row, same due time) are written before the save; rows only they wanted are removed after it.
 */
export function followUpChanges(
  before: readonly (LeadRecord | undefined)[],
  next: LeadRecord,
  policy: FollowUpPolicy,
): { put: Entry[]; remove: Entry[] } {
  const wanted = entriesOf(next, policy);
  const [stored, ...unsaved] = before;
  const had = entriesOf(stored, policy);
  const tried = unsaved.flatMap((r) => entriesOf(r, policy));
  const same = (a: Entry, b: Entry): boolean => a.kind === b.kind && a.dueAt === b.dueAt && a.step === b.step;
  const sameRow = (a: Entry, b: Entry): boolean => rowOf(a.kind, a.dueAt) === rowOf(b.kind, b.dueAt);
  // A row this writer tried with another due time may hold that time now: write the wanted one again.
  const put = wanted.filter((w) => !had.some((h) => same(h, w)) || tried.some((t) => sameRow(t, w) && !same(t, w)));
  const remove: Entry[] = [];
  for (const old of [...had, ...tried]) {
    if (!wanted.some((w) => sameRow(w, old)) && !remove.some((r) => sameRow(r, old))) remove.push(old);
  }
  return { put, remove };
}

const sameRecord = (a: LeadRecord, b: LeadRecord): boolean =>
  isDeepStrictEqual(withoutUndefined(a), withoutUndefined(b));

export interface RebuildOptions {
  /** An event to store with the record, unless the lead's history has it already (a redelivery). */
  add?: LeadEvent;
  /** Versions this caller indexed without saving them (a first lead's lost create): their entries may need undoing. */
  unsaved?: LeadRecord[];
  /** What else the save stores, decided from the record before and after it (an owner, alert and hand-off intents). */
  effects?: SaveEffects;
}

/** A save about to be made: the record as stored (undefined: none yet), the record it saves and all its events. */
export interface SaveChange {
  before: LeadRecord | undefined;
  next: LeadRecord;
  events: readonly LeadEvent[];
  /** The version the save writes. */
  version: number;
  /** The event the caller adds, when the history did not have it yet. */
  added?: LeadEvent;
}

/** More events for the same transaction (folded into the record) and intents stored with it (intents.ts). */
export interface Effects {
  events: LeadEvent[];
  intents: Intent[];
}

export type SaveEffects = (change: SaveChange) => Promise<Effects>;

const NO_EFFECTS: Effects = { events: [], intents: [] };

/**
 * Brings the stored record in line with its events: the record as stored after the rebuild (undefined when the lead
 * has no arrival events), and the intents still pending in the partition (changeHandOff.ts queues those). A lead
 * whose stored record already is the projection of its events, with nothing to add, costs one read.
 */
export function rebuildLead(
  store: RecordStore,
  identity: LeadIdentity,
  policy: FollowUpPolicy,
  options: RebuildOptions = {},
): Promise<Rebuilt> {
  return rebuild(store, identity, policy, options);
}

/** A rebuild's result, and whether it stored `add` (false when the history had it: a redelivery). */
export interface Rebuilt {
  record: LeadRecord | undefined;
  added: boolean;
  /** The intents this save stored (to hand over now). */
  intents?: Intent[];
  /** Intents of earlier saves still in the partition when it was read (not yet handed over, or not yet taken). */
  pending?: StoredIntent[];
}

async function rebuild(
  store: RecordStore,
  identity: LeadIdentity,
  policy: FollowUpPolicy,
  options: RebuildOptions,
): Promise<Rebuilt> {
  const unsaved = [...(options.unsaved ?? [])];
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const { stored, events, intents: pending } = await store.readLead(identity.leadId);
    const adding = options.add !== undefined && !events.some((e) => e.eventId === options.add?.eventId);
    const all = adding && options.add ? [...events, options.add] : events;
    const recordIdentity = stored
      ? { ...identity, offerKey: stored.record.offerKey, identityKind: stored.record.identityKind }
      : identity;
    const projected = projectRecord(recordIdentity, all, policy);
    if (!projected) return { record: undefined, added: false };
    const early = followUpChanges([stored?.record, ...unsaved], projected, policy);
    // Nothing to store and nothing of ours to undo (a redelivery): one read was all it took.
    const settled = early.put.length === 0 && early.remove.length === 0;
    if (stored && !adding && settled && sameRecord(stored.record, projected))
      return { record: projected, added: false, pending };

    const version = (stored?.version ?? 0) + 1;
    const added = adding ? options.add : undefined;
    const effects =
      (await options.effects?.({ before: stored?.record, next: projected, events: all, version, added })) ?? NO_EFFECTS;
    const next =
      effects.events.length === 0 ? projected : projectRecord(recordIdentity, [...all, ...effects.events], policy);
    if (!next) return { record: undefined, added: false };
    const { put, remove } =
      effects.events.length === 0 ? early : followUpChanges([stored?.record, ...unsaved], next, policy);
    await store.noteChange(identity.leadId, version);
    // Read before the save: a newer writer that wants one of these rows touches it after our save, and our delete
    // (If-Match this ETag) then leaves it alone.
    const etags: (string | undefined)[] = [];
    for (const e of remove) etags.push(await store.followUpEtag(e.kind, identity.leadId, e.dueAt));
    for (const e of put)
      await store.setFollowUpDue({ kind: e.kind, leadId: identity.leadId, dueAt: e.dueAt, step: e.step });
    const saved = await store.commitLead({
      record: next,
      etag: stored?.etag,
      version,
      add: [...(added ? [added] : []), ...effects.events],
      intents: effects.intents,
    });
    if (saved === 'saved') {
      for (const [i, e] of remove.entries()) {
        const etag = etags[i];
        if (etag !== undefined) await store.deleteFollowUp(e.kind, identity.leadId, e.dueAt, etag);
      }
      return { record: next, added: adding, intents: effects.intents, pending };
    }
    unsaved.push(next);
    await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 10 * attempt)));
  }
  throw new Error(`Lead ${identity.leadId} kept changing during ${MAX_ATTEMPTS} attempts to save it`);
}

/**
 * Fast path for a record this caller just created the identity for: create it from its own event without reading
 * first. If the record exists already (a retry, or another lead of the customer was quicker), the transaction fails
 * and the full rebuild takes over, undoing this version's entries if the saved record does not want them.
 */
export async function createOrRebuildLead(
  store: RecordStore,
  identity: LeadIdentity,
  event: LeadEvent,
  policy: FollowUpPolicy,
  effects?: SaveEffects,
): Promise<Rebuilt> {
  const projected = projectRecord(identity, [event], policy);
  if (!projected) return rebuild(store, identity, policy, { add: event, effects });
  const extra =
    (await effects?.({ before: undefined, next: projected, events: [event], version: 1, added: event })) ?? NO_EFFECTS;
  const record =
    extra.events.length === 0 ? projected : (projectRecord(identity, [event, ...extra.events], policy) ?? projected);
  await store.noteChange(identity.leadId, 1);
  // Entries first, record second: nobody else writes this lead's entries before its record exists.
  for (const e of entriesOf(record, policy)) await store.putFollowUp({ ...e, leadId: record.leadId, sentTo: [] });
  const commit = { record, etag: undefined, version: 1, add: [event, ...extra.events], intents: extra.intents };
  if ((await store.commitLead(commit)) === 'saved') return { record, added: true, intents: extra.intents };
  return rebuild(store, identity, policy, { add: event, unsaved: [record], effects });
}

/** Stores `event` in the lead's history (unless it is there already) and brings the record in line. */
export function recordEvent(
  store: RecordStore,
  identity: LeadIdentity,
  event: LeadEvent,
  policy: FollowUpPolicy,
  effects?: SaveEffects,
): Promise<Rebuilt> {
  return rebuild(store, identity, policy, { add: event, effects });
}
