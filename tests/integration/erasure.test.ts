/**
 * Erasure end to end: a person's leads, a status note naming them, a follow-up entry, a rejected message and two
 * poison messages holding their address — then DELETE /api/leads/{id}, and a scan of every table and every queue
 * in the storage account (base64 decoded) for their email, name, phone and company. The app uses no blob storage
 * (the local host's Azurite blob service stays empty), so tables and queues are the whole account.
 */
import { TableClient, TableServiceClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';
import { ulid } from 'ulid';

import type { RunningAzurite } from '../../local-host/src/azurite';
import type { AppConfig } from '../../shared/config';
import { encodeEnvelope } from '../../shared/queue/envelope';
import { intentToEntity } from '../../shared/record/intents';
import { searchKeys } from '../../shared/sell/search/searchKeys';
import { eventually, type HostProcess, startHost, startTestAzurite } from '../support/hostProcess';
import { getJson, leadBody, type LeadSummary, type ListBody, waitForLead } from '../support/leadApi';
import { enqueue, envelopeFor, testConfig } from '../support/leadFixtures';
import { testStore } from '../support/testStore';

jest.setTimeout(180_000);

const person = {
  firstName: 'Zbigniewa',
  lastName: 'Qwertowska',
  company: 'Kwiatuszek Logistics',
  email: 'Zbigniewa.Qwertowska@Erase-Me.example',
  phone: '+48 601 234 567',
  title: 'Head of Procurement',
};
const TRACES = [
  'zbigniewa',
  'qwertowskanowak',
  'qwertowska',
  'erase-me.example',
  '601 234 567',
  '601234567',
  'kwiatuszek',
  'head of procurement',
];
const other = { firstName: 'Olaf', lastName: 'Otherperson', company: 'Elsewhere', email: 'olaf@elsewhere.example' };

interface Found {
  where: string;
  trace: string;
}

/** Hex runs of a text decoded: the search index keeps names and addresses hex-encoded in its row keys. */
function hexDecoded(text: string): string {
  return (text.match(/(?:[0-9a-f]{2}){3,}/g) ?? []).map((hex) => Buffer.from(hex, 'hex').toString('utf8')).join('\n');
}

/** Every entity of every table and every message of every queue, as lower-cased text (queues and hex also decoded). */
async function storageTexts(connectionString: string): Promise<{ where: string; text: string }[]> {
  const out: { where: string; text: string }[] = [];
  const tables = TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true });
  for await (const table of tables.listTables()) {
    const client = TableClient.fromConnectionString(connectionString, table.name!, { allowInsecureConnection: true });
    for await (const entity of client.listEntities()) {
      const text = JSON.stringify(entity).toLowerCase();
      out.push({ where: `table ${table.name}`, text: `${text}\n${hexDecoded(text)}`.toLowerCase() });
    }
  }
  const queues = QueueServiceClient.fromConnectionString(connectionString);
  for await (const queue of queues.listQueues()) {
    const client = queues.getQueueClient(queue.name);
    // Peek shows up to 32 messages; these queues hold a handful.
    const { peekedMessageItems } = await client.peekMessages({ numberOfMessages: 32 });
    for (const m of peekedMessageItems) {
      const decoded = Buffer.from(m.messageText, 'base64').toString('utf8');
      out.push({ where: `queue ${queue.name}`, text: `${m.messageText}\n${decoded}`.toLowerCase() });
    }
  }
  return out;
}

async function tracesOf(connectionString: string, traces: readonly string[]): Promise<Found[]> {
  const found: Found[] = [];
  for (const { where, text } of await storageTexts(connectionString)) {
    for (const trace of traces) if (text.includes(trace)) found.push({ where, trace });
  }
  return found;
}

describe('DELETE /api/leads/{id}: erasure', () => {
  let azurite: RunningAzurite;
  let host: HostProcess;
  let config: AppConfig;
  let leadId: string;
  let otherId: string;
  const firstSeen = new Date(Date.now() - 3 * 3_600_000);

  beforeAll(async () => {
    azurite = await startTestAzurite();
    config = testConfig(azurite.connectionString);
    host = await startHost({ AzureWebJobsStorage: azurite.connectionString });
    const base = host.baseUrl;

    // Two leads of one journey (merged into one record), through the queue at a known time and through HTTP.
    leadId = ulid(firstSeen.getTime());
    await enqueue(config, envelopeFor(leadBody(person, 'contoso.erase', { action: 'PLT' }), firstSeen, leadId));
    await waitForLead(base, leadId);
    const second = await fetch(`${base}/api/leads`, {
      method: 'POST',
      body: leadBody({ ...person, email: person.email.toUpperCase() }, 'contoso.erase', { action: 'INS' }),
    });
    expect(second.status).toBe(202);
    await waitForLead(base, leadId, 2);
    // A note naming her, status left new so the follow-up index still holds her lead.
    const note = await fetch(`${base}/api/leads/${leadId}`, {
      method: 'PATCH',
      body: JSON.stringify({ status: 'new', note: `Zbigniewa Qwertowska asked for a call`, by: 'Ola' }),
    });
    expect(note.status).toBe(200);

    // Someone else, who must be untouched.
    otherId = ulid(firstSeen.getTime() + 1000);
    await enqueue(config, envelopeFor(leadBody(other, 'contoso.erase'), new Date(firstSeen.getTime() + 1000), otherId));
    await waitForLead(base, otherId);

    // A rejected copy (the payload is not JSON), hers and someone else's.
    await enqueue(config, envelopeFor(`not json, from ${person.email}`));
    await enqueue(config, envelopeFor(`not json, from ${other.email}`));
    // Poison copies: one that is not base64 (the host parks it as sent), one as the host parks a message that failed five times.
    const queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
    await queues.getQueueClient(config.queueName).sendMessage(`{"plain": "${person.email}"}`);
    await queues.getQueueClient(config.queueName).sendMessage(`{"plain": "${other.email}"}`);
    const poison = queues.getQueueClient(config.poisonQueueName);
    await poison.createIfNotExists();
    await poison.sendMessage(encodeEnvelope(envelopeFor(leadBody(person, 'contoso.erase'))));

    const store = testStore(config);
    await eventually('two rejected rows', async () => {
      let n = 0;
      for await (const _ of store.tables.rejected.listEntities()) n++;
      return n === 2 ? true : undefined;
    });
    // keepPoisonedLead keeps the envelope in PoisonedLeads; the two that are not base64 no function can take, so
    // the host moves them on to the poison queue's own poison queue.
    const poisonPoison = queues.getQueueClient(`${config.poisonQueueName}-poison`);
    await eventually('the poison copies kept or parked', async () => {
      let kept = 0;
      for await (const _ of store.tables.poisoned.listEntities()) kept++;
      const parked = (await poisonPoison.exists()) ? (await poisonPoison.getProperties()).approximateMessagesCount : 0;
      return kept === 1 && parked === 2 ? true : undefined;
    });
    await eventually('the lead queue to drain', async () =>
      (await queues.getQueueClient(config.queueName).getProperties()).approximateMessagesCount === 0 ? true : undefined,
    );
  });

  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  test('before erasure her data is in records, search index, events, identity index, follow-ups, rejected and poison copies', async () => {
    // Listing the leads catches the listing index up with every record written so far.
    expect((await fetch(`${host.baseUrl}/api/leads`)).status).toBe(200);
    const found = await tracesOf(azurite.connectionString, ['erase-me.example']);
    const places = new Set(found.map((f) => f.where));
    expect(places).toEqual(
      new Set([
        `table ${config.tables.listing}`,
        `table ${config.tables.search}`,
        `table ${config.tables.events}`,
        `table ${config.tables.rejected}`,
        `table ${config.tables.poisoned}`,
        `queue ${config.poisonQueueName}-poison`,
      ]),
    );
    let followUps = 0;
    for await (const row of testStore(config).tables.followUps.listEntities<{ leadId: string }>())
      if (row.leadId === leadId) followUps++;
    expect(followUps).toBe(2);
  });

  test('erases her everywhere, keeps an anonymised tombstone, answers what was erased, and is idempotent', async () => {
    const before = await getJson<{ lead: LeadSummary }>(`${host.baseUrl}/api/leads/${leadId}`);
    // A search row of an older version of her record, as a crash between listing and clean-up leaves it behind.
    const listed = (await testStore(config).listedRecord(leadId))!.record;
    const current = new Set(searchKeys(listed).map((k) => k.rowKey));
    const [oldVersionKey] = searchKeys({ ...listed, lastName: 'Qwertowskanowak' }).filter(
      (k) => !current.has(k.rowKey),
    );
    await testStore(config).tables.search.upsertEntity({ ...oldVersionKey!, leadId, version: 1 });
    expect(await tracesOf(azurite.connectionString, ['qwertowskanowak'])).not.toEqual([]);
    // An alert still waiting to be taken (its deliverer down), naming her company's domain.
    const waiting = intentToEntity(leadId, {
      kind: 'alert',
      message: {
        v: 1,
        kind: 'alert',
        alertId: ulid(),
        leadId,
        recipient: 'sales@contoso.example',
        reason: 'newLead',
        stage: 'interest',
        raisedAt: new Date().toISOString(),
        accountLine: '2nd person from erase-me.example this week',
      },
    });
    await testStore(config).tables.events.createEntity(waiting);
    expect((await tracesOf(azurite.connectionString, ['2nd person from erase-me'])).map((f) => f.where)).toEqual([
      `table ${config.tables.events}`,
    ]);
    const res = await getJson<{ result: string; erased: Record<string, unknown>; tombstone: Record<string, unknown> }>(
      `${host.baseUrl}/api/leads/${leadId}`,
      { method: 'DELETE' },
    );
    expect(res.status).toBe(200);
    expect(res.body.result).toBe('erased');
    expect(res.body.erased).toEqual({
      recordFields: expect.arrayContaining([
        'firstName',
        'lastName',
        'company',
        'title',
        'email',
        'emailMatch',
        'phone',
        'statusNote',
      ]),
      events: 3,
      rawPayloads: 2,
      identityRows: 1,
      followUps: 2,
      rejectedMessages: 1,
      poisonMessages: 2,
    });
    expect(JSON.stringify(res.body).toLowerCase()).not.toMatch(/zbigniewa|qwertowska|erase-me|kwiatuszek/);

    // No trace left in any table or queue of the account.
    expect(await tracesOf(azurite.connectionString, TRACES)).toEqual([]);
    let identityRows = 0;
    for await (const row of testStore(config).tables.leadKeys.listEntities<{ leadId: string }>())
      if (row.leadId === leadId) identityRows++;
    expect(identityRows).toBe(0);

    // The tombstone keeps what funnel counts need.
    const after = await getJson<{ lead: LeadSummary & Record<string, unknown>; history: Record<string, unknown>[] }>(
      `${host.baseUrl}/api/leads/${leadId}?raw=true`,
    );
    expect(after.body.lead).toMatchObject({
      leadId,
      offerKey: 'contoso.erase',
      stage: 'active',
      status: 'new',
      firstSeenAt: before.body.lead.firstSeenAt,
      eventCount: 2,
      flags: ['erased'],
    });
    expect(after.body.lead.firstName).toBeUndefined();
    // Two arrivals, the owner processing assigned, the status change.
    expect(after.body.history.map((e) => e.kind)).toEqual(['arrival', 'owner', 'arrival', 'status']);
    expect(after.body.history.every((e) => e.rawBody === undefined || e.rawBody === '')).toBe(true);

    // Again: nothing more to erase.
    const again = await getJson<{ result: string; erased: Record<string, unknown> }>(
      `${host.baseUrl}/api/leads/${leadId}`,
      { method: 'DELETE' },
    );
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      result: 'alreadyErased',
      erased: {
        recordFields: [],
        events: 0,
        rawPayloads: 0,
        identityRows: 0,
        followUps: 0,
        rejectedMessages: 0,
        poisonMessages: 0,
      },
    });
  });

  test("someone else's lead, rejected row and poison message are untouched", async () => {
    const olaf = await tracesOf(azurite.connectionString, ['elsewhere.example']);
    expect(new Set(olaf.map((f) => f.where))).toEqual(
      new Set([
        `table ${config.tables.listing}`,
        `table ${config.tables.search}`,
        `table ${config.tables.events}`,
        `table ${config.tables.rejected}`,
        `queue ${config.poisonQueueName}-poison`,
      ]),
    );
    const { body } = await getJson<{ lead: LeadSummary }>(`${host.baseUrl}/api/leads/${otherId}`);
    expect(body.lead).toMatchObject({ firstName: 'Olaf', email: 'olaf@elsewhere.example' });
    // The parked poison messages of others were released, not left hidden by the scan.
    const poison = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(
      `${config.poisonQueueName}-poison`,
    );
    expect((await poison.peekMessages({ numberOfMessages: 32 })).peekedMessageItems).toHaveLength(1);
  });

  test('the tombstone still counts in the stats, and a new lead from her starts a fresh record', async () => {
    const stats = await getJson<{ offers: { offerKey: string; total: number }[] }>(`${host.baseUrl}/api/stats`);
    expect(stats.body.offers.find((o) => o.offerKey === 'contoso.erase')?.total).toBe(2);

    const again = await fetch(`${host.baseUrl}/api/leads`, {
      method: 'POST',
      body: leadBody(person, 'contoso.erase', { action: 'PLT' }),
    });
    const { id } = (await again.json()) as { id: string };
    const fresh = await waitForLead(host.baseUrl, id);
    expect(fresh).toMatchObject({ leadId: id, firstName: 'Zbigniewa', eventCount: 1 });
    const list = await getJson<ListBody>(`${host.baseUrl}/api/leads?offer=contoso.erase`);
    expect(list.body.items.map((l) => l.leadId)).toEqual([id, otherId, leadId]);
  });
});
