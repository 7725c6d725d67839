/**
 * Erasure's search of the copies kept outside a record (RejectedLeads rows, poisoned leads) compares parsed,
 * normalised fields for equality: a look-alike address that merely contains the erased one is another customer,
 * whose lead must survive; and a copy written with JSON escapes (as .NET's default encoder writes `+`) is still hers.
 */
import { QueueServiceClient } from '@azure/storage-queue';
import { ulid } from 'ulid';

import type { RunningAzurite } from '../../local-host/src/azurite';
import type { AppConfig } from '../../shared/config';
import { encodeEnvelope } from '../../shared/queue/envelope';
import { keptPoisoned } from '../../shared/queue/poisoned';
import { queueClient } from '../../shared/storage/clients';
import { eventually, type HostProcess, startHost, startTestAzurite } from '../support/hostProcess';
import { getJson, leadBody, waitForLead } from '../support/leadApi';
import { enqueue, envelopeFor, testConfig } from '../support/leadFixtures';
import { testStore } from '../support/testStore';

jest.setTimeout(120_000);

const an = { firstName: 'An', lastName: 'Nguyen', company: 'Contoso Sub', email: 'an@contoso-sub.example' };
const jan = { firstName: 'Jan', lastName: 'Janssen', company: 'Contoso Sub', email: 'JAN@contoso-sub.example' };
const zofia = {
  firstName: 'Zofia',
  lastName: 'Wiśniewska',
  company: 'Fabrikam',
  email: 'zofia+mkt@fabrikam-pl.example',
  phone: '+48 601 777 888',
};

/** A lead body as .NET's default JSON encoder writes it: `+` and non-ASCII letters as \u escapes. */
function dotNetEscaped(body: string): string {
  return body.replace(
    /[+\u0080-\uFFFF]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
  );
}

interface Copy {
  where: string;
  text: string;
}

async function copies(config: AppConfig): Promise<Copy[]> {
  const out: Copy[] = [];
  for await (const row of testStore(config).tables.rejected.listEntities<{ message: string }>())
    out.push({ where: 'rejected', text: row.message });
  // keepPoisonedLead moves poison messages into PoisonedLeads; one caught in between is still in the queue.
  const poison = queueClient(config.storageConnection, config.poisonQueueName);
  if (await poison.exists())
    for (const m of (await poison.peekMessages({ numberOfMessages: 32 })).peekedMessageItems)
      out.push({ where: 'poison', text: Buffer.from(m.messageText, 'base64').toString('utf8') });
  for await (const kept of keptPoisoned(testStore(config).tables.poisoned))
    out.push({ where: 'poison', text: kept.text });
  return out;
}

describe('erasure matches copies by parsed fields, not by substring', () => {
  let azurite: RunningAzurite;
  let host: HostProcess;
  let config: AppConfig;
  const at = new Date(Date.now() - 3_600_000);
  const ids = { an: ulid(at.getTime()), zofia: ulid(at.getTime() + 1) };

  beforeAll(async () => {
    azurite = await startTestAzurite();
    config = testConfig(azurite.connectionString);
    host = await startHost({ AzureWebJobsStorage: azurite.connectionString });
    await enqueue(config, envelopeFor(leadBody(an, 'contoso.sub'), at, ids.an));
    await enqueue(config, envelopeFor(dotNetEscaped(leadBody(zofia, 'fabrikam.pl')), at, ids.zofia));
    await waitForLead(host.baseUrl, ids.an);
    await waitForLead(host.baseUrl, ids.zofia);

    // Rejected copies (the payload is not a JSON object): Jan's, and Zofia's written with escapes.
    await enqueue(config, envelopeFor(`[${leadBody(jan, 'contoso.sub')}]`));
    await enqueue(config, envelopeFor(`[${dotNetEscaped(leadBody(zofia, 'fabrikam.pl'))}]`));
    // Poison copies, as the host parks a message that failed five times: Jan's, and Zofia's with escapes.
    const poison = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(
      config.poisonQueueName,
    );
    await poison.createIfNotExists();
    await poison.sendMessage(encodeEnvelope(envelopeFor(leadBody(jan, 'contoso.sub'))));
    await poison.sendMessage(encodeEnvelope(envelopeFor(dotNetEscaped(leadBody(zofia, 'fabrikam.pl')))));
    const store = testStore(config);
    await eventually('two rejected rows and two kept poison messages', async () => {
      let rejected = 0;
      for await (const _ of store.tables.rejected.listEntities()) rejected++;
      let kept = 0;
      for await (const _ of store.tables.poisoned.listEntities()) kept++;
      return rejected === 2 && kept === 2 ? true : undefined;
    });
  });

  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  test("erasing an@ leaves JAN@'s rejected row and poison message alone", async () => {
    const res = await getJson<{ erased: Record<string, number> }>(`${host.baseUrl}/api/leads/${ids.an}`, {
      method: 'DELETE',
    });
    expect(res.status).toBe(200);
    expect(res.body.erased).toMatchObject({ rejectedMessages: 0, poisonMessages: 0 });
    const janCopies = (await copies(config)).filter((c) => c.text.includes('JAN@contoso-sub.example'));
    expect(janCopies.map((c) => c.where).sort()).toEqual(['poison', 'rejected']);
  });

  test('erasing Zofia removes her copies written with escapes: no name, email or phone is left', async () => {
    const res = await getJson<{ erased: Record<string, number> }>(`${host.baseUrl}/api/leads/${ids.zofia}`, {
      method: 'DELETE',
    });
    expect(res.status).toBe(200);
    expect(res.body.erased).toMatchObject({ rejectedMessages: 1, poisonMessages: 1 });
    const left = await copies(config);
    expect(left.filter((c) => /zofia|wiśniewska|wi\\u015bniewska|601 777 888/i.test(c.text))).toEqual([]);
    expect(left).toHaveLength(2);
  });
});
