/**
 * The follow-up index is exactly what the final record wants, whatever the order, the interleaving and the replays
 * of a customer's leads. Processing runs for real (recordLead against the real store in Azurite); the test only
 * chooses which writer makes the next storage call, so every interleaving is reproducible and shrinkable.
 */
import { odata } from '@azure/data-tables';
import fc from 'fast-check';

import type { RunningAzurite } from '../../local-host/src/azurite';
import { newUlid } from '../../shared/ids';
import { createEnvelope } from '../../shared/queue/envelope';
import { dueBucket } from '../../shared/record/keys';
import type { LeadRecord } from '../../shared/record/model';
import { projectRecord } from '../../shared/record/rebuild';
import { recordLead } from '../../shared/record/recordLead';
import { type RecordStore } from '../../shared/record/recordStore';
import { startTestAzurite } from '../support/hostProcess';
import { interleave } from '../support/interleave';
import { leadWith, noTelemetry, testConfig } from '../support/leadFixtures';
import { type TestRecordStore, testStore } from '../support/testStore';

const policy = { followUpHours: 24, escalateAfterHours: 48 };
const OFFER = 'contoso.followups';
const T = Date.parse('2026-03-01T10:20:30.000Z');

let azurite: RunningAzurite;
let store: TestRecordStore;
let customer = 0;

beforeAll(async () => {
  azurite = await startTestAzurite();
  const s = testStore(testConfig(azurite.connectionString, { TABLE_NAME_PREFIX: 'Index' }));
  await s.ensureTables();
  store = s;
});

afterAll(async () => {
  await azurite?.stop();
});

interface Lead {
  /** Seconds from T: the same hour as T (±30 s), the hour before or after, and days apart. */
  offset: number;
  action: string;
}

/** What the record wants, said independently of the code under test: docs/storage.md, "Follow-up index". */
function wantedEntries(record: LeadRecord): string[] {
  const followed =
    record.status === 'new' &&
    !record.doNotContact &&
    !record.isTest &&
    !record.unrecognised &&
    !record.remindedAt &&
    !record.escalatedAt;
  if (!followed) return [];
  const due = (hours: number): string => new Date(Date.parse(record.firstSeenAt) + hours * 3600_000).toISOString();
  return [`escalate@${due(48)}`, `remind@${due(24)}`];
}

async function indexedEntries(leadId: string): Promise<string[]> {
  const out: string[] = [];
  const rows = store.tables.followUps.listEntities<{ kind: string; dueAt: string }>({
    queryOptions: { filter: odata`leadId eq ${leadId}` },
  });
  for await (const row of rows) {
    // The row must sit where a reminder run looks for it: the partition of its due hour.
    expect(row.partitionKey).toBe(dueBucket(new Date(row.dueAt)));
    out.push(`${row.kind}@${row.dueAt}`);
  }
  return out.sort();
}

/**
 * Processes `leads` of one new customer: each lead's message once, plus `replays` (indexes of leads whose message
 * is delivered again), started in `order` and interleaved call by call as `choices` say.
 */
async function processCustomer(
  leads: readonly Lead[],
  replays: readonly number[],
  order: readonly number[],
  choices: readonly number[],
): Promise<{ record: LeadRecord | undefined; wanted: string[]; indexed: string[]; trace: string[] }> {
  const email = `customer${++customer}@followups.example`;
  // Each lead its own body (a first name of its own): the same body twice within 10 minutes would be one event.
  const messages = leads.map((lead, i) =>
    JSON.stringify(
      createEnvelope(
        newUlid(),
        new Date(T + lead.offset * 1000),
        leadWith({ email, offer: OFFER, action: lead.action, firstName: `Lead${i}` }),
        { queryKeys: [] },
      ),
    ),
  );
  const deliveries = [...messages.keys(), ...replays.map((r) => r % leads.length)];
  const started = order.length === deliveries.length ? order.map((i) => deliveries[i]!) : deliveries;
  let next = 0;
  const { results, trace } = await interleave(
    store,
    started.map(
      (m, i) => (gated: RecordStore) =>
        recordLead(messages[m], `message-${i}`, {
          store: gated,
          clock: () => new Date(T + 3 * 24 * 3600_000),
          telemetry: noTelemetry,
          policy,
          log: () => undefined,
        }),
    ),
    (waiting) => (choices[next++] ?? 0) % waiting,
  );
  const leadIds = new Set<string>();
  for (const result of results) {
    if (result.status === 'rejected') throw result.reason;
    if (result.value.kind !== 'stored') throw new Error(`unexpected outcome ${result.value.kind}`);
    leadIds.add(result.value.leadId);
  }
  expect(leadIds.size).toBe(1);
  const [leadId] = [...leadIds];
  const stored = await store.getRecord(leadId!);
  const events = await store.listEvents(leadId!);
  // The record is the projection of every lead's event, each once.
  expect(events).toHaveLength(leads.length);
  expect(stored?.record).toEqual(
    projectRecord(
      { leadId: leadId!, offerKey: OFFER, identityKind: stored?.record.identityKind ?? 'email' },
      events,
      policy,
    ),
  );
  return {
    record: stored?.record,
    wanted: stored ? wantedEntries(stored.record) : [],
    indexed: await indexedEntries(leadId!),
    trace,
  };
}

test('a customer’s earlier lead processed after a later one in the same hour keeps its follow-up entries', async () => {
  // Lead 2 at T, then lead 1 at T − 30 s, one after the other: the record is new and wants both entries.
  const { record, wanted, indexed } = await processCustomer(
    [
      { offset: 0, action: 'PLT' },
      { offset: -30, action: 'PLT' },
    ],
    [],
    [0, 1],
    [],
  );
  expect(record).toMatchObject({ status: 'new', firstSeenAt: new Date(T - 30_000).toISOString(), eventCount: 2 });
  expect(indexed).toEqual(wanted);
  expect(indexed).toHaveLength(2);
});

test('any order, interleaving and replay of a customer’s leads leaves exactly the entries the final record wants', async () => {
  const lead = fc.record({
    offset: fc.constantFrom(0, -30, 30, -25 * 60, 50 * 60, -26 * 3600),
    action: fc.constantFrom('PLT', 'PLT', 'StartTestDrive', 'INS', 'DNC'),
  });
  const scenario = fc
    .tuple(fc.array(lead, { minLength: 2, maxLength: 4 }), fc.array(fc.nat(3), { maxLength: 2 }))
    .chain(([leads, replays]) => {
      const deliveries = leads.length + replays.length;
      return fc.record({
        leads: fc.constant(leads),
        replays: fc.constant(replays),
        order: fc.shuffledSubarray(
          Array.from({ length: deliveries }, (_, i) => i),
          { minLength: deliveries, maxLength: deliveries },
        ),
        choices: fc.array(fc.nat(7), { maxLength: 120 }),
      });
    });
  await fc.assert(
    fc.asyncProperty(scenario, async ({ leads, replays, order, choices }) => {
      const { wanted, indexed, trace } = await processCustomer(leads, replays, order, choices);
      if (indexed.join() !== wanted.join()) {
        throw new Error(
          `index ${JSON.stringify(indexed)} ≠ wanted ${JSON.stringify(wanted)}; calls ${trace.join(' ')}`,
        );
      }
    }),
    {
      // Each run is one customer's few dozen storage calls against Azurite: 40 runs stay within seconds.
      numRuns: 40,
      // The case first: a later lead, then an earlier one of the same hour.
      examples: [
        [
          {
            leads: [
              { offset: 0, action: 'PLT' },
              { offset: -30, action: 'PLT' },
            ],
            replays: [],
            order: [0, 1],
            choices: [],
          },
        ],
      ],
    },
  );
});
