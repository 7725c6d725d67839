/**
 * The newest arrivals the silence alarm and health read: kept in one row by the listing's catch-up, so a returning
 * customer's lead, merged into a record created long ago, counts. Walking the listing (ordered by creation) misses
 * it and would raise a false alarm.
 */
import { ulid } from 'ulid';

import type { RunningAzurite } from '../../local-host/src/azurite';
import { lastArrivals, newestArrivals } from '../../shared/ops/recentArrivals';
import { recordLead } from '../../shared/record/recordLead';
import { catchUpListing } from '../../shared/sell/listing';
import { startTestAzurite } from '../support/hostProcess';
import { envelopeFor, leadWith, recordDeps, testConfig } from '../support/leadFixtures';
import { testStore } from '../support/testStore';

const DAY = 86_400_000;

let azurite: RunningAzurite;

beforeAll(async () => {
  azurite = await startTestAzurite();
});

afterAll(async () => {
  await azurite?.stop();
});

test('a returning customer’s lead counts as the newest real lead; a test lead only as the newest test lead', async () => {
  const config = testConfig(azurite.connectionString, { TABLE_NAME_PREFIX: 'Newest' });
  const store = testStore(config);
  await store.ensureTables();
  const deps = recordDeps(store);
  const now = Date.now();
  const lead = async (email: string, at: number, firstName = 'Real'): Promise<void> => {
    const envelope = envelopeFor(leadWith({ email, firstName }), new Date(at), ulid(at));
    expect((await recordLead(JSON.stringify(envelope), 'm', deps)).kind).toBe('stored');
    await catchUpListing(store, new Date(), 100);
  };
  await lead('old@returning.example', now - 40 * DAY);
  await lead('newer@other.example', now - 20 * DAY);
  // The first customer comes back today: merged into the record created 40 days ago.
  await lead('old@returning.example', now - 60_000, 'Again');
  await lead('partner@contoso.example', now - 30_000, 'MSFT_TEST');

  const row = await lastArrivals(store, new Date(), { want: 'both', maxRecords: 1000 });
  expect(row.lastRealLeadAt).toBe(new Date(now - 60_000).toISOString());
  expect(row.lastTestLeadAt).toBe(new Date(now - 30_000).toISOString());
  // What walking the listing by creation says: the 20-day-old lead, 19 days of silence that is not there.
  const walked = await newestArrivals(store, new Date(), { want: 'real', maxRecords: 1000 });
  expect(walked.lastRealLeadAt).toBe(new Date(now - 20 * DAY).toISOString());
});
