/**
 * replay-poison ends even when its target does not answer. A message whose send times out is received again once
 * it is visible again; without a record of what it already tried, a move whose batch outlasts the minute it hides
 * messages for went round for ever. Here the target is a second Azurite frozen with SIGSTOP (a network black hole),
 * and the hiding is shorter than a send's deadline, as a 32-message batch of 30 s timeouts outlasts a minute.
 */
import type { RunningAzurite } from '../../local-host/src/azurite';
import { moveAll } from '../../scripts/replay-poison';
import { queueClient } from '../../shared/storage/clients';
import { eventually, startTestAzurite } from '../support/hostProcess';
import { testConfig } from '../support/leadFixtures';

jest.setTimeout(60_000);

let source: RunningAzurite;
let target: RunningAzurite;

beforeAll(async () => {
  [source, target] = await Promise.all([startTestAzurite(), startTestAzurite()]);
});

afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
});

test('a move whose sends all time out stops once every message it receives was tried, and loses none', async () => {
  const poison = queueClient(testConfig(source.connectionString).storageConnection, 'stuck-poison');
  await poison.createIfNotExists();
  for (const n of [1, 2, 3]) await poison.sendMessage(Buffer.from(`message ${n}`).toString('base64'));
  // Each send fails at its deadline (1.5 s), by when every message of the batch is visible again (hidden 1 s).
  const frozen = queueClient(testConfig(target.connectionString).storageConnection, 'stuck', 1_500);
  await frozen.createIfNotExists();
  const lines: string[] = [];
  process.kill(target.pid, 'SIGSTOP');
  let result: { moved: number; failed: number } | 'still moving';
  try {
    const bound = new Promise<'still moving'>((resolve) => setTimeout(() => resolve('still moving'), 30_000).unref());
    result = await Promise.race([moveAll(poison, frozen, (line) => lines.push(line), { hideSeconds: 1 }), bound]);
  } finally {
    process.kill(target.pid, 'SIGCONT');
  }
  expect(result).toEqual({ moved: 0, failed: 3 });
  expect(lines.filter((l) => l.startsWith('Message '))).toHaveLength(3);
  expect(lines.at(-1)).toMatch(/^stuck-poison: stopped at messages already tried; 3 not moved, left for the next run$/);
  // All three are still in the poison queue once their hiding ends.
  const left = await eventually('the messages visible again', async () => {
    const { peekedMessageItems } = await poison.peekMessages({ numberOfMessages: 32 });
    return peekedMessageItems.length === 3 ? peekedMessageItems : undefined;
  });
  expect(left.map((m) => Buffer.from(m.messageText, 'base64').toString('utf8')).sort()).toEqual([
    'message 1',
    'message 2',
    'message 3',
  ]);
});
