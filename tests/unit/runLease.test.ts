import { acquireRunLease, LEASE_PARTITION } from '../../shared/reminders/runLease';
import { MemoryLockTable } from '../support/memoryLeadStore';

const T0 = new Date('2024-05-01T12:00:00Z');
const TTL = 10 * 60_000;
const at = (ms: number): Date => new Date(T0.getTime() + ms);

describe('run lease', () => {
  test('the first run takes a free lease and records owner and expiry', async () => {
    const table = new MemoryLockTable();
    const attempt = await acquireRunLease(table, 'job', { owner: 'run-a', now: T0, ttlMs: TTL });
    expect(attempt.acquired).toBe(true);
    const row = await table.getEntity(LEASE_PARTITION, 'job');
    expect(row).toMatchObject({ owner: 'run-a', expiresAt: at(TTL).toISOString() });
  });

  test('a second run is refused while the lease is held, and told until when', async () => {
    const table = new MemoryLockTable();
    await acquireRunLease(table, 'job', { owner: 'run-a', now: T0, ttlMs: TTL });
    const second = await acquireRunLease(table, 'job', { owner: 'run-b', now: at(60_000), ttlMs: TTL });
    expect(second).toEqual({ acquired: false, heldUntil: at(TTL) });
  });

  test('of two runs racing for a free lease exactly one wins', async () => {
    const table = new MemoryLockTable();
    const results = await Promise.all(['a', 'b', 'c'].map((owner) => acquireRunLease(table, 'job', { owner, now: T0, ttlMs: TTL })));
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
  });

  test('a crashed run’s lease lapses: after the expiry the next run takes it over', async () => {
    const table = new MemoryLockTable();
    const crashed = await acquireRunLease(table, 'job', { owner: 'run-a', now: T0, ttlMs: TTL });
    expect(crashed.acquired).toBe(true);
    const next = await acquireRunLease(table, 'job', { owner: 'run-b', now: at(TTL), ttlMs: TTL });
    expect(next.acquired).toBe(true);
    expect((await table.getEntity(LEASE_PARTITION, 'job')).owner).toBe('run-b');
    // The crashed run, should it wake up, finds its lease gone and must stop.
    if (!crashed.acquired) throw new Error('unreachable');
    expect(await crashed.lease.renew(at(TTL + 1000))).toBe(false);
  });

  test('renew extends the expiry; release frees the lease at once', async () => {
    const table = new MemoryLockTable();
    const attempt = await acquireRunLease(table, 'job', { owner: 'run-a', now: T0, ttlMs: TTL });
    if (!attempt.acquired) throw new Error('expected the lease');
    expect(await attempt.lease.renew(at(5 * 60_000))).toBe(true);
    expect(attempt.lease.expiresAt()).toEqual(at(5 * 60_000 + TTL));
    expect((await acquireRunLease(table, 'job', { owner: 'run-b', now: at(TTL + 1), ttlMs: TTL })).acquired).toBe(false);
    await attempt.lease.release();
    expect((await acquireRunLease(table, 'job', { owner: 'run-b', now: at(TTL + 1), ttlMs: TTL })).acquired).toBe(true);
  });

  test('release does not delete a lease another run has taken over since', async () => {
    const table = new MemoryLockTable();
    const old = await acquireRunLease(table, 'job', { owner: 'run-a', now: T0, ttlMs: TTL });
    await acquireRunLease(table, 'job', { owner: 'run-b', now: at(TTL), ttlMs: TTL });
    if (!old.acquired) throw new Error('expected the lease');
    await old.lease.release();
    expect((await table.getEntity(LEASE_PARTITION, 'job')).owner).toBe('run-b');
  });

  test('the Locks table is created on first use', async () => {
    const table = new MemoryLockTable();
    table.tableExists = false;
    expect((await acquireRunLease(table, 'job', { owner: 'run-a', now: T0, ttlMs: TTL })).acquired).toBe(true);
    expect(table.tableExists).toBe(true);
  });
});
