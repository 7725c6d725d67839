/**
 * keepPoisonedLead consumes the poison queue while an erasure scans it: a poisoned lead of the person it holds (the
 * message hidden from the erasure's scan) is written to PoisonedLeads after the erasure read that table, and the
 * copy would survive, for a later replay to bring the record back. The erasure reads the table again at its end.
 * Against Azurite: the record, the poison queue and PoisonedLeads; the kept row is written, as keepPoisonedLead
 * writes it, at the point of the erasure where the race puts it (after the scans, while the tombstone is written).
 */
import type { QueueClient } from '@azure/storage-queue';

import type { RunningAzurite } from '../../local-host/src/azurite';
import { keepPoisoned, keptPoisoned } from '../../shared/queue/poisoned';
import { recordLead } from '../../shared/record/recordLead';
import type { RecordStore } from '../../shared/record/recordStore';
import { eraseLead } from '../../shared/sell/erasure/eraseLead';
import { queueClient } from '../../shared/storage/clients';
import { startTestAzurite } from '../support/hostProcess';
import { envelopeFor, leadWith, recordDeps, testConfig } from '../support/leadFixtures';
import { testStore } from '../support/testStore';

let azurite: RunningAzurite;

beforeAll(async () => {
  azurite = await startTestAzurite();
});

afterAll(async () => {
  await azurite?.stop();
});

test('a poisoned copy kept while the erasure runs, after it scanned PoisonedLeads, is erased too', async () => {
  const config = testConfig(azurite.connectionString, { TABLE_NAME_PREFIX: 'race' });
  const store = testStore(config);
  await store.ensureTables();
  const body = leadWith({ email: 'race.erased@contoso.example', offer: 'contoso.race' });
  const first = envelopeFor(body);
  const stored = await recordLead(JSON.stringify(first), first.id, recordDeps(store, { policy: config }));
  if (stored.kind !== 'stored') throw new Error(`lead not stored: ${stored.reason}`);
  // Her second lead failed processing; keepPoisonedLead has taken it from the poison queue and not yet kept it.
  const poisoned = envelopeFor(body);
  const client = (name: string): QueueClient => queueClient(config.storageConnection, name);
  let kept = false;
  const racing: RecordStore = {
    ...store,
    readLead: async (leadId) => {
      if (!kept) {
        kept = true;
        await keepPoisoned(
          // As the trigger hands it over: the decoded message, JSON-parsed.
          poisoned,
          { messageId: 'held-by-keepPoisonedLead', dequeueCount: 1 },
          {
            table: store.tables.poisoned,
            resend: () => Promise.reject(new Error('not the last try')),
            now: () => new Date(),
            maxDequeueCount: 5,
          },
        );
      }
      return store.readLead(leadId);
    },
  };
  const erasure = await eraseLead(
    {
      store: racing,
      copies: {
        rejected: store.tables.rejected,
        poisoned: store.tables.poisoned,
        poisonQueue: client(`${config.queueName}-poison`),
        poisonPoisonQueue: client(`${config.queueName}-poison-poison`),
      },
    },
    stored.leadId,
  );
  expect(kept).toBe(true);
  expect(erasure?.report.erased.poisonMessages).toBe(1);
  const left: string[] = [];
  for await (const row of keptPoisoned(store.tables.poisoned)) left.push(row.text);
  expect(left.filter((text) => text.includes('race.erased@contoso.example'))).toEqual([]);
});
