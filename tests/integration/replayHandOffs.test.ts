/**
 * replay-poison sends a poisoned hand-off back as it was first queued: a copy put back for a receiver's Retry-After
 * carries the tries it made (`tries`), and one the host poisoned (storage down, not the receiver) still has them.
 * Replayed with them, the change would start with its tries spent. Against Azurite: the poison queue, the kept
 * copies in PoisonedLeads, and the hand-off queue it goes back to.
 */
import type { RunningAzurite } from '../../local-host/src/azurite';
import { replayPoison } from '../../scripts/replay-poison';
import { appSettings, erasureSettings, valueOrThrow } from '../../shared/config';
import { encodeHandOff, type HandOffEnvelope, parseHandOff } from '../../shared/queue/handOffEnvelope';
import { keepPoisoned } from '../../shared/queue/poisoned';
import { queueClient, tableClient } from '../../shared/storage/clients';
import { sampleSettings, startTestAzurite } from '../support/hostProcess';

let azurite: RunningAzurite;
const saved = { ...process.env };

beforeAll(async () => {
  azurite = await startTestAzurite();
  // replay-poison reads the app's settings from the environment, as it does when run.
  Object.assign(process.env, sampleSettings(), { AzureWebJobsStorage: azurite.connectionString });
});

afterAll(async () => {
  process.env = saved;
  await azurite?.stop();
});

const change = (version: number): HandOffEnvelope => ({
  v: 1,
  leadId: '01HZX3K6Q0N8V6J1W6X7Y8Z9AB',
  version,
  created: false,
  at: '2024-05-03T12:00:00.000Z',
});

test('a poisoned hand-off goes back without the tries its copies made; anything else as it was', async () => {
  const config = valueOrThrow(erasureSettings(appSettings()));
  const client = (name: string) => queueClient(config.storageConnection, name);
  const poison = client('lead-handoffs-poison');
  await poison.createIfNotExists();
  // Poisoned by the host with its tries, still in the poison queue; and a message that is not base64 at all.
  await poison.sendMessage(encodeHandOff({ ...change(1), tries: 3 }), { messageTimeToLive: -1 });
  await poison.sendMessage('not base64: {', { messageTimeToLive: -1 });
  // Kept in PoisonedLeads by keepPoisonedHandOff, with its tries.
  const table = tableClient(config.storageConnection, config.tables.poisoned);
  await keepPoisoned(
    JSON.stringify({ ...change(2), tries: 4 }),
    { messageId: 'kept-1', dequeueCount: 1, queue: 'handOffs' },
    { table, resend: () => Promise.reject(new Error('the table answers')), now: () => new Date(), maxDequeueCount: 5 },
  );

  const report = await replayPoison({ dryRun: false, log: () => undefined });
  expect(report.deliveries).toEqual({ moved: 2, replayed: 1, remaining: 0 });

  const { receivedMessageItems } = await client('lead-handoffs').receiveMessages({ numberOfMessages: 32 });
  const texts = receivedMessageItems.map((m) => m.messageText);
  expect(texts).toContain('not base64: {');
  const replayed = texts
    .filter((t) => t !== 'not base64: {')
    .map((t) => {
      const parsed = parseHandOff(Buffer.from(t, 'base64').toString('utf8'));
      if (!parsed.ok) throw new Error(parsed.reason);
      return parsed.message;
    });
  expect(replayed.sort((a, b) => a.version - b.version)).toEqual([change(1), change(2)]);
});
