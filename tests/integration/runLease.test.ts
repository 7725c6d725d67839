/**
 * The run lease against the real Locks table in Azurite: conditional writes (409 on a racing create, 412 on a
 * stale ETag) decide who holds it. One Azurite for the file; each test gets its own table prefix.
 */
import { odata, type TableClient, TableServiceClient } from '@azure/data-tables';

import type { RunningAzurite } from '../../local-host/src/azurite';
import { acquireRunLease, LEASE_PARTITION, type LockRow } from '../../shared/followUp/runLease';
import { startTestAzurite } from '../support/hostProcess';
import { testConfig } from '../support/leadFixtures';
import { testStore } from '../support/testStore';

const T0 = new Date('2024-05-01T12:00:00Z');
const TTL = 10 * 60_000;
const at = (ms: number): Date => new Date(T0.getTime() + ms);

let azurite: RunningAzurite;
let prefixCounter = 0;

beforeAll(async () => {
  azurite = await startTestAzurite();
});

afterAll(async () => {
  await azurite?.stop();
});

/** The real lock table of a fresh table prefix; `ensureTables: false` leaves the tables uncreated. */
async function lockTable(options: { ensureTables?: boolean } = {}): Promise<{ table: TableClient; name: string }> {
  const config = testConfig(azurite.connectionString, { TABLE_NAME_PREFIX: `T${++prefixCounter}` });
  const store = testStore(config);
  if (options.ensureTables !== false) await store.ensureTables();
  return { table: store.tables.locks, name: config.tables.locks };
}

async function tableExists(name: string): Promise<boolean> {
  const service = TableServiceClient.fromConnectionString(azurite.connectionString, { allowInsecureConnection: true });
  for await (const table of service.listTables({ queryOptions: { filter: odata`TableName eq ${name}` } })) {
    if (table.name === name) return true;
  }
  return false;
}

const readLock = (table: TableClient) => table.getEntity<LockRow>(LEASE_PARTITION, 'job');

describe('run lease', () => {
  test('the first run takes a free lease and records owner and expiry', async () => {
    const { table } = await lockTable();
    const attempt = await acquireRunLease(table, 'job', { owner: 'run-a', now: T0, ttlMs: TTL });
    expect(attempt.acquired).toBe(true);
    const row = await readLock(table);
    expect(row).toMatchObject({ owner: 'run-a', expiresAt: at(TTL).toISOString() });
  });

  test('a second run is refused while the lease is held, and told until when', async () => {
    const { table } = await lockTable();
    await acquireRunLease(table, 'job', { owner: 'run-a', now: T0, ttlMs: TTL });
    const second = await acquireRunLease(table, 'job', { owner: 'run-b', now: at(60_000), ttlMs: TTL });
    expect(second).toEqual({ acquired: false, heldUntil: at(TTL) });
  });

  test('of two runs racing for a free lease exactly one wins', async () => {
    const { table } = await lockTable();
    const results = await Promise.all(
      ['a', 'b', 'c'].map((owner) => acquireRunLease(table, 'job', { owner, now: T0, ttlMs: TTL })),
    );
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
  });

  test('a crashed run’s lease lapses: after the expiry the next run takes it over', async () => {
    const { table } = await lockTable();
    const crashed = await acquireRunLease(table, 'job', { owner: 'run-a', now: T0, ttlMs: TTL });
    expect(crashed.acquired).toBe(true);
    const next = await acquireRunLease(table, 'job', { owner: 'run-b', now: at(TTL), ttlMs: TTL });
    expect(next.acquired).toBe(true);
    expect((await readLock(table)).owner).toBe('run-b');
    // The crashed run, should it wake up, finds its lease gone and must stop.
    if (!crashed.acquired) throw new Error('unreachable');
    expect(await crashed.lease.renew(at(TTL + 1000))).toBe(false);
  });

  test('renew extends the expiry; release frees the lease at once', async () => {
    const { table } = await lockTable();
    const attempt = await acquireRunLease(table, 'job', { owner: 'run-a', now: T0, ttlMs: TTL });
    if (!attempt.acquired) throw new Error('expected the lease');
    expect(await attempt.lease.renew(at(5 * 60_000))).toBe(true);
    expect(attempt.lease.expiresAt()).toEqual(at(5 * 60_000 + TTL));
    expect((await acquireRunLease(table, 'job', { owner: 'run-b', now: at(TTL + 1), ttlMs: TTL })).acquired).toBe(
      false,
    );
    await attempt.lease.release();
    expect((await acquireRunLease(table, 'job', { owner: 'run-b', now: at(TTL + 1), ttlMs: TTL })).acquired).toBe(true);
  });

  test('release does not delete a lease another run has taken over since', async () => {
    const { table } = await lockTable();
    const old = await acquireRunLease(table, 'job', { owner: 'run-a', now: T0, ttlMs: TTL });
    await acquireRunLease(table, 'job', { owner: 'run-b', now: at(TTL), ttlMs: TTL });
    if (!old.acquired) throw new Error('expected the lease');
    await old.lease.release();
    expect((await readLock(table)).owner).toBe('run-b');
  });

  test('the Locks table is created on first use', async () => {
    // A fresh storage account: no table of this prefix exists yet.
    const { table, name } = await lockTable({ ensureTables: false });
    expect(await tableExists(name)).toBe(false);
    expect((await acquireRunLease(table, 'job', { owner: 'run-a', now: T0, ttlMs: TTL })).acquired).toBe(true);
    expect(await tableExists(name)).toBe(true);
  });
});
