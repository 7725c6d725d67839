/**
 * What processing one lead costs in storage round trips, counted on the wire by the clients' call-count policy
 * (shared/storage/callCount.ts) against Azurite. Counts are deterministic, unlike timings, so the budgets of
 * docs/storage.md are asserted here: a change that adds a round trip to the hot path fails this test.
 */
import type { RunningAzurite } from '../../local-host/src/azurite';
import { newUlid } from '../../shared/ids';
import { createEnvelope } from '../../shared/queue/envelope';
import { recordLead } from '../../shared/record/recordLead';
import { createRecordStore } from '../../shared/record/recordStore';
import { type CallCounts, startCallCount, stopCallCount, totalCalls } from '../../shared/storage/callCount';
import type { Telemetry } from '../../shared/telemetry';
import { startTestAzurite } from '../support/hostProcess';
import { leadWith, testConfig } from '../support/leadFixtures';

const telemetry: Telemetry = { event: () => undefined, metric: () => undefined, flush: () => Promise.resolve() };
const policy = { followUpHours: 24, escalateAfterHours: 48 };

let azurite: RunningAzurite;
let store: ReturnType<typeof createRecordStore>;

beforeAll(async () => {
  azurite = await startTestAzurite();
  store = createRecordStore(testConfig(azurite.connectionString, { TABLE_NAME_PREFIX: 'Calls' }));
  // Tables are created once per process, not per lead.
  await store.ensureTables();
});

afterAll(async () => {
  await azurite?.stop();
});

function message(email: string, firstName: string): string {
  return JSON.stringify(
    createEnvelope(newUlid(), new Date(), leadWith({ email, offer: 'contoso.calls', firstName }), { queryKeys: [] }),
  );
}

async function counted(message: string): Promise<CallCounts> {
  const counts = startCallCount();
  try {
    const outcome = await recordLead(message, 'message', {
      store,
      clock: () => new Date(),
      telemetry,
      policy,
      log: () => undefined,
    });
    expect(outcome.kind).toBe('stored');
  } finally {
    // Stopped even when recording throws, so a failure cannot leave counting on.
    stopCallCount();
  }
  return counts;
}

const describeCounts = (counts: CallCounts): string => [...counts.entries()].map(([op, n]) => `${op} ×${n}`).join(', ');

test('a customer’s first lead, a merged lead and a redelivered message stay within their storage-call budgets', async () => {
  const first = message('budget@contoso.example', 'First');
  const firstCalls = await counted(first);
  const mergeCalls = await counted(message('budget@contoso.example', 'Second'));
  const redeliveryCalls = await counted(first);

  const report = `first lead: ${describeCounts(firstCalls)}; merge: ${describeCounts(mergeCalls)}; redelivery: ${describeCounts(redeliveryCalls)}`;
  expect({
    first: totalCalls(firstCalls) <= 5,
    merge: totalCalls(mergeCalls) <= 6,
    redelivery: totalCalls(redeliveryCalls) <= 3,
    report,
  }).toEqual({ first: true, merge: true, redelivery: true, report });
});
