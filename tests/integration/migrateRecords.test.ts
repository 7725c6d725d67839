/**
 * `npm run migrate-records` against a store the earlier layout wrote: records in a `Leads` table, events alone in
 * their lead's partition. After the migration every record is in its lead's partition, listed, and has its entries.
 */
import { TableClient } from '@azure/data-tables';

import type { RunningAzurite } from '../../local-host/src/azurite';
import { migrateRecords, oldRecordsTable } from '../../scripts/migrate-records';
import { newUlid } from '../../shared/ids';
import { invertUlid, leadKeys } from '../../shared/record/keys';
import { projectLead } from '../../shared/record/projection';
import { arrival } from '../support/events';
import { startTestAzurite } from '../support/hostProcess';
import { followUpsOf, testConfig } from '../support/leadFixtures';
import { testStore } from '../support/testStore';

const policy = { followUpHours: 24, escalateAfterHours: 48 };

let azurite: RunningAzurite;

beforeAll(async () => {
  azurite = await startTestAzurite();
});

afterAll(async () => {
  await azurite?.stop();
});

test('records of the earlier Leads table are rebuilt into their partitions and listed; a second run changes nothing', async () => {
  const config = testConfig(azurite.connectionString, { TABLE_NAME_PREFIX: 'Migrate' });
  const store = testStore(config);
  await store.ensureTables();
  const old = TableClient.fromConnectionString(azurite.connectionString, oldRecordsTable(config.tables), {
    allowInsecureConnection: true,
  });
  await old.createTable();
  const ids = [newUlid(), newUlid()];
  for (const [i, leadId] of ids.entries()) {
    const event = arrival(leadId, new Date().toISOString(), { email: `old${i}@contoso.example` });
    await store.appendEvent(leadId, event);
    const record = projectLead({ leadId, offerKey: 'contoso.old', identityKind: 'email' }, [event])!;
    // The earlier layout's row: the record's fields, keyed by month and inverted id.
    await old.createEntity({ ...leadKeys(leadId), ...record, sources: JSON.stringify(record.sources), flags: '[]' });
  }

  const logs: string[] = [];
  const first = await migrateRecords(config, policy, { dryRun: false, log: (l) => logs.push(l) });
  expect({ first, logs }).toEqual({ first: { found: 2, migrated: 2, failed: 0 }, logs: [] });
  for (const [i, leadId] of ids.entries()) {
    expect((await store.getRecord(leadId))?.record).toMatchObject({ leadId, email: `old${i}@contoso.example` });
    const keys = leadKeys(leadId);
    expect(await store.tables.listing.getEntity(keys.partitionKey, invertUlid(leadId))).toMatchObject({ leadId });
    expect((await followUpsOf(store, leadId)).map((e) => e.kind).sort()).toEqual(['escalate', 'remind']);
  }
  const versions = await Promise.all(ids.map(async (id) => (await store.getRecord(id))?.version));

  expect(await migrateRecords(config, policy, { dryRun: false, log: (l) => logs.push(l) })).toEqual(first);
  expect(await Promise.all(ids.map(async (id) => (await store.getRecord(id))?.version))).toEqual(versions);
});
