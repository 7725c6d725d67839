/**
 * What processing one lead costs in storage round trips, counted on the wire against Azurite. Counts are
 * deterministic, unlike timings, so the budgets of docs/storage.md are asserted here: a change that adds a round
 * trip to the hot path fails this test.
 */
import type { RunningAzurite } from '../../local-host/src/azurite';
import { leadQueue } from '../../shared/queue/leadQueue';
import { createRecordStore } from '../../shared/record/recordStore';
import { startCallCount, stopCallCount, totalCalls } from '../../shared/storage/callCount';
import { startTestAzurite } from '../support/hostProcess';
import { CALL_BUDGETS, describeCalls, leadCallCounts } from '../support/leadCalls';
import { leadQueue as queueClientFor, testConfig } from '../support/leadFixtures';

let azurite: RunningAzurite;

beforeAll(async () => {
  azurite = await startTestAzurite();
});

afterAll(async () => {
  await azurite?.stop();
});

test('a customer’s first lead, a merged lead and a redelivered message stay within their storage-call budgets', async () => {
  const store = createRecordStore(testConfig(azurite.connectionString, { TABLE_NAME_PREFIX: 'Calls' }));
  // Tables are created once per process, not per lead.
  await store.ensureTables();
  const counts = await leadCallCounts(store);
  for (const [name, budget] of Object.entries(CALL_BUDGETS)) {
    const got = counts[name as keyof typeof CALL_BUDGETS];
    // The whole tally in the message, so a regression says which call was added.
    expect({ name, calls: describeCalls(got, budget), within: totalCalls(got) <= budget }).toEqual({
      name,
      calls: describeCalls(got, budget),
      within: true,
    });
  }
});

test('accepting a lead is one queue call, the first one after a cold start too; a queue not there yet is created', async () => {
  const config = testConfig(azurite.connectionString, { LEADS_QUEUE_NAME: 'calls-incoming' });
  // The first lead ever: the queue does not exist, so the send fails, the queue is created and the send retried.
  startCallCount();
  await leadQueue(config).enqueue('first');
  expect(Object.fromEntries(stopCallCount())).toEqual({
    'POST calls-incoming messages': 2,
    'PUT calls-incoming': 1,
  });
  // Every later cold start (a new client, as a fresh process builds): the queue is there, one round trip.
  startCallCount();
  await leadQueue(config).enqueue('second');
  expect(Object.fromEntries(stopCallCount())).toEqual({ 'POST calls-incoming messages': 1 });
  const messages = await queueClientFor(config).receiveMessages({ numberOfMessages: 2 });
  expect(messages.receivedMessageItems.map((m) => m.messageText)).toEqual(['first', 'second']);
});
