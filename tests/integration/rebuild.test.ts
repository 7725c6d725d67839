/**
 * The follow-up index under concurrent writers, against the real store in Azurite: a customer's first lead writes
 * its record without re-reading it, so it must never delete an entry a newer version of the record has put.
 */
import type { RunningAzurite } from '../../local-host/src/azurite';
import { newUlid } from '../../shared/ids';
import { createOrRebuildLead } from '../../shared/record/rebuild';
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

test('a do-not-contact first lead never deletes the entries a newer version of its record put meanwhile', async () => {
  const store = testStore(testConfig(azurite.connectionString, { TABLE_NAME_PREFIX: 'Rebuild1' }));
  await store.ensureTables();
  const leadId = newUlid();
  const firstSeen = '2026-03-01T10:00:00.000Z';
  // The customer's next lead (a real one) was processed in between: its record wants both entries and put them.
  const due = (hours: number): string => new Date(Date.parse(firstSeen) + hours * 3600_000).toISOString();
  await store.putFollowUp({ kind: 'remind', leadId, dueAt: due(24), sentTo: [] });
  await store.putFollowUp({ kind: 'escalate', leadId, dueAt: due(48), sentTo: [] });

  // The first lead's own write comes late; as a do-not-contact lead it wants no entries of its own.
  const dnc = arrival(leadId, firstSeen, {
    action: 'DNC',
    actionRaw: 'DNC',
    stage: 'doNotContact',
    email: 'jan@fabrikam.example',
  });
  const { record } = await createOrRebuildLead(
    store,
    { leadId, offerKey: 'fabrikamsoft.ledger-cloud', identityKind: 'email' },
    dnc,
    policy,
  );
  expect(record?.doNotContact).toBe(true);
  expect((await followUpsOf(store, leadId)).map((e) => e.kind).sort()).toEqual(['escalate', 'remind']);
});
