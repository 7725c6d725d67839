/**
 * U+2028 and U+2029 in what a customer typed: Azurite refuses a table transaction holding either (a 500 for the
 * whole batch, so the lead would go to poison after five tries), Table Storage takes them. Processing must store
 * such a lead, and read back the same payload, on both.
 */
import type { RunningAzurite } from '../../local-host/src/azurite';
import { newUlid } from '../../shared/ids';
import { createEnvelope } from '../../shared/queue/envelope';
import { recordLead } from '../../shared/record/recordLead';
import { createRecordStore } from '../../shared/record/recordStore';
import { startTestAzurite } from '../support/hostProcess';
import { recordDeps, testConfig } from '../support/leadFixtures';

let azurite: RunningAzurite;

beforeAll(async () => {
  azurite = await startTestAzurite();
});

afterAll(async () => {
  await azurite?.stop();
});

test('a lead whose fields hold U+2028 and U+2029 is stored, and its raw copy reads back as the same JSON', async () => {
  const store = createRecordStore(testConfig(azurite.connectionString, { TABLE_NAME_PREFIX: 'Lines' }));
  await store.ensureTables();
  const body = JSON.stringify({
    UserDetails: {
      FirstName: 'Ann\u2028e',
      LastName: 'Li\u2029ne',
      Email: 'anne.line@contoso.example',
      Phone: '',
      Country: 'US',
      Company: 'Contoso\u2028Ltd',
      Title: '',
    },
    LeadSource: 'AzureMarketplace-INS|contoso.lines',
    OfferTitle: 'Lines\u2029',
    Description: 'first\u2028second\u2029third',
  });
  const message = JSON.stringify(createEnvelope(newUlid(), new Date(), body, { queryKeys: [] }));
  const outcome = await recordLead(message, 'message', recordDeps(store));
  if (outcome.kind !== 'stored') throw new Error(`expected the lead stored, got ${outcome.kind}`);
  const [arrival] = await store.listEvents(outcome.leadId);
  if (arrival?.kind !== 'arrival') throw new Error('expected the arrival event');
  expect(JSON.parse(arrival.rawBody)).toEqual(JSON.parse(body));
  const stored = await store.getRecord(outcome.leadId);
  expect(stored?.record.company).toBe(outcome.record.company);
});
