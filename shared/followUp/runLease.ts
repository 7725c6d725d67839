/**
 * A run lease: at most one reminder run sends at a time, across overlapping ticks and across instances.
 *
 * One lock entity per named job in the Locks table. Taking or extending the lease is a conditional write
 * (create, or replace with the ETag we read), so of two runs racing for it exactly one wins: the loser gets
 * 409 (create) or 412 (replace). The entity carries an expiry, so a run that crashed while holding it blocks
 * the job only until the expiry passes; the next run takes it over. A run extends its lease before each
 * email, and stops sending if the lease was lost (it lapsed and another run took it).
 */
import type { TableEntity, TableEntityResult } from '@azure/data-tables';

import { isAlreadyExists, isNotFound, isPreconditionFailed } from '../storage/tableErrors';

export const LEASE_PARTITION = 'lease';

export interface LockRow {
  /** Which run holds the lease: an id the run made up (not a machine name or anything personal). */
  owner: string;
  /** ISO time after which any other run may take the lease. */
  expiresAt: string;
  acquiredAt: string;
}

/** The slice of a TableClient the lease uses: the Locks table's. */
export interface LockTable {
  createTable(): Promise<unknown>;
  getEntity(partitionKey: string, rowKey: string): Promise<TableEntityResult<LockRow>>;
  createEntity(entity: TableEntity<LockRow>): Promise<{ etag?: string }>;
  updateEntity(entity: TableEntity<LockRow>, mode: 'Replace', options: { etag: string }): Promise<{ etag?: string }>;
  deleteEntity(partitionKey: string, rowKey: string, options: { etag: string }): Promise<unknown>;
}

export interface RunLease {
  readonly name: string;
  readonly owner: string;
  expiresAt(): Date;
  /** Pushes the expiry to `now + ttl`. False when the lease was lost: the caller must stop doing leased work. */
  renew(now: Date): Promise<boolean>;
  /** Gives the lease up so the next run need not wait for the expiry. Never throws (the expiry is the fallback). */
  release(): Promise<void>;
}

export type LeaseAttempt = { acquired: true; lease: RunLease } | { acquired: false; heldUntil?: Date };

export interface LeaseOptions {
  owner: string;
  now: Date;
  ttlMs: number;
}

async function readLock(table: LockTable, name: string): Promise<TableEntityResult<LockRow> | undefined> {
  try {
    return await table.getEntity(LEASE_PARTITION, name);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** Creates the lock entity; undefined if another run created it first. Creates the table on first use. */
async function createLock(table: LockTable, entity: TableEntity<LockRow>): Promise<string | undefined> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const created = await table.createEntity(entity);
      return created.etag ?? (await table.getEntity(LEASE_PARTITION, entity.rowKey)).etag;
    } catch (e) {
      if (isAlreadyExists(e)) return undefined;
      // 404 on insert means the table does not exist yet (a fresh storage account).
      if (!isNotFound(e) || attempt > 0) throw e;
      await table.createTable();
    }
  }
  return undefined;
}

export async function acquireRunLease(table: LockTable, name: string, options: LeaseOptions): Promise<LeaseAttempt> {
  const { owner, now, ttlMs } = options;
  const row = (at: Date): TableEntity<LockRow> => ({
    partitionKey: LEASE_PARTITION,
    rowKey: name,
    owner,
    expiresAt: new Date(at.getTime() + ttlMs).toISOString(),
    acquiredAt: now.toISOString(),
  });

  let etag: string | undefined;
  let expiresAt = new Date(now.getTime() + ttlMs);
  const existing = await readLock(table, name);
  if (existing === undefined) {
    etag = await createLock(table, row(now));
    if (etag === undefined) {
      const winner = await readLock(table, name);
      return { acquired: false, heldUntil: winner ? new Date(winner.expiresAt) : undefined };
    }
  } else {
    const heldUntil = new Date(existing.expiresAt);
    // Not expired (or unreadable, which we treat as held rather than risk two senders): someone else's run.
    if (!(heldUntil.getTime() <= now.getTime()) && existing.owner !== owner) return { acquired: false, heldUntil };
    try {
      etag = (await table.updateEntity(row(now), 'Replace', { etag: existing.etag })).etag;
    } catch (e) {
      // Another run took over the lapsed lease between our read and write.
      if (isPreconditionFailed(e) || isNotFound(e)) return { acquired: false };
      throw e;
    }
    if (etag === undefined) etag = (await table.getEntity(LEASE_PARTITION, name)).etag;
  }

  let currentEtag: string = etag;
  let lost = false;
  const lease: RunLease = {
    name,
    owner,
    expiresAt: () => expiresAt,
    async renew(at) {
      if (lost) return false;
      const next = row(at);
      try {
        const updated = await table.updateEntity(next, 'Replace', { etag: currentEtag });
        currentEtag = updated.etag ?? (await table.getEntity(LEASE_PARTITION, name)).etag;
        expiresAt = new Date(next.expiresAt);
        return true;
      } catch (e) {
        if (isPreconditionFailed(e) || isNotFound(e)) {
          lost = true;
          return false;
        }
        throw e;
      }
    },
    async release() {
      if (lost) return;
      lost = true;
      try {
        await table.deleteEntity(LEASE_PARTITION, name, { etag: currentEtag });
      } catch {
        // Already taken over, deleted, or storage is down: the expiry releases it anyway.
      }
    },
  };
  return { acquired: true, lease };
}
