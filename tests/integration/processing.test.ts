/**
 * processLead end to end: envelopes on the real queue, the local host's queue trigger, the real tables.
 * Each test uses its own offer or email so tests never read each other's records.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';

import { QueueServiceClient } from '@azure/storage-queue';

import type { RunningAzurite } from '../../local-host/src/azurite';
import type { AppConfig } from '../../shared/config';
import { encodeEnvelope } from '../../shared/queue/envelope';
import type { LeadEvent, LeadRecord } from '../../shared/record/model';
import { type RecordStore, REJECTED_EXCERPT_CHARS } from '../../shared/record/recordStore';
import {
  eventually,
  type HostProcess,
  repoRoot,
  sampleSettings,
  startHost,
  startTestAzurite,
} from '../support/hostProcess';
import {
  allLeads,
  enqueue,
  envelopeFor,
  leadQueue,
  leadWith,
  sample,
  testConfig,
  waitForRecord,
} from '../support/leadFixtures';
import { testStore } from '../support/testStore';

/** The lead's arrivals: its history also holds the owner event processing records with the first one. */
async function arrivalsOf(store: Pick<RecordStore, 'listEvents'>, leadId: string): Promise<LeadEvent[]> {
  return (await store.listEvents(leadId)).filter((e) => e.kind === 'arrival');
}

const run = promisify(execFile);

describe('processLead through the local host', () => {
  let azurite: RunningAzurite;
  let host: HostProcess;
  let config: AppConfig;

  beforeAll(async () => {
    azurite = await startTestAzurite();
    config = testConfig(azurite.connectionString);
    host = await startHost({ AzureWebJobsStorage: azurite.connectionString });
  });
  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  const recordsFor = (records: LeadRecord[], offerKey: string): LeadRecord[] =>
    records.filter((r) => r.offerKey === offerKey);

  test('the documented journey (three steps, varying case and key casing) becomes one active record with three events', async () => {
    for (const name of ['journey-1-contact-me', 'journey-2-test-drive', 'journey-3-get-it-now']) {
      const res = await fetch(`${host.baseUrl}/api/leads`, { method: 'POST', body: sample(name) });
      expect(res.status).toBe(202);
    }
    const records = await waitForRecord(
      config,
      (all) => recordsFor(all, 'fabrikamsoft.ledger-cloud')[0]?.eventCount === 3,
      'the journey record',
    );
    const journey = recordsFor(records, 'fabrikamsoft.ledger-cloud');
    expect(journey).toHaveLength(1);
    expect(journey[0]).toMatchObject({
      stage: 'active',
      status: 'new',
      eventCount: 3,
      firstName: 'Jan',
      lastName: 'Kowalski',
      emailMatch: 'jan.kowalski@fabrikam.example',
      phoneE164: '+48600100200',
      country: 'PL',
      title: 'IT Director',
      company: 'Fabrikam',
      offerTitle: 'Ledger Cloud',
      sources: expect.arrayContaining(['AppSource', 'AzureMarketplace']),
      identityKind: 'email',
    });
    const events = await arrivalsOf(testStore(config), journey[0]!.leadId);
    expect(events.map((e) => (e.kind === 'arrival' ? e.action : e.kind)).sort()).toEqual([
      'INS',
      'PLT',
      'StartTestDrive',
    ]);
  });

  test('the same message delivered twice leaves the same state', async () => {
    const envelope = envelopeFor(leadWith({ email: 'twice@contoso.example', offer: 'contoso.twice' }));
    await enqueue(config, envelope);
    const [first] = recordsFor(
      await waitForRecord(config, (all) => recordsFor(all, 'contoso.twice').length === 1, 'the first delivery'),
      'contoso.twice',
    );
    await enqueue(config, envelope);
    await eventually('the queue to drain', async () =>
      (await leadQueue(config).getProperties()).approximateMessagesCount === 0 ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 500));
    const after = recordsFor(await allLeads(config), 'contoso.twice');
    expect(after).toEqual([first]);
    expect(await arrivalsOf(testStore(config), first!.leadId)).toHaveLength(1);
  });

  test('an event already written before a crash is completed by the retry, not duplicated', async () => {
    const envelope = envelopeFor(leadWith({ email: 'crash@contoso.example', offer: 'contoso.crash' }));
    const store = testStore(config);
    // The state a crash right after the event write leaves: the identity row and event exist, the record does not.
    const { toArrivalEvent } = await import('../../shared/record/arrivalEvent');
    const placed = toArrivalEvent(envelope);
    if (!placed.ok) throw new Error(placed.reason);
    await store.resolveLeadId(placed.identityHash!, envelope.id);
    await store.appendEvent(envelope.id, placed.event);
    expect(await store.getRecord(envelope.id)).toBeUndefined();

    await enqueue(config, envelope);
    const [record] = recordsFor(
      await waitForRecord(config, (all) => recordsFor(all, 'contoso.crash').length === 1, 'the retried record'),
      'contoso.crash',
    );
    expect(record).toMatchObject({ leadId: envelope.id, eventCount: 1 });
    expect(await arrivalsOf(store, envelope.id)).toHaveLength(1);
  });

  test('20 leads of one customer processed concurrently make one record with 20 events', async () => {
    const queue = leadQueue(config);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        queue.sendMessage(
          encodeEnvelope(
            envelopeFor(
              leadWith({
                email: i % 2 ? 'Burst@Contoso.example' : ' burst@contoso.EXAMPLE ',
                // Twenty different leads: the same body twice within 10 minutes would be one event.
                firstName: `Burst${i}`,
                offer: 'contoso.burst',
                action: ['PLT', 'StartTestDrive', 'INS'][i % 3],
              }),
            ),
          ),
        ),
      ),
    );
    const records = await waitForRecord(
      config,
      (all) => recordsFor(all, 'contoso.burst')[0]?.eventCount === 20,
      'all 20 events folded in',
      45000,
    );
    const burst = recordsFor(records, 'contoso.burst');
    expect(burst).toHaveLength(1);
    expect(burst[0]!.stage).toBe('active');
    expect(await arrivalsOf(testStore(config), burst[0]!.leadId)).toHaveLength(20);
  });

  test('mixed-case emails match one record; a different offer makes a different record', async () => {
    await enqueue(config, envelopeFor(leadWith({ email: 'Mixed.Case@Contoso.example', offer: 'contoso.alpha' })));
    await enqueue(
      config,
      envelopeFor(leadWith({ email: 'mixed.case@contoso.example', offer: 'contoso.alpha', action: 'PLT' })),
    );
    await enqueue(config, envelopeFor(leadWith({ email: 'MIXED.CASE@CONTOSO.EXAMPLE', offer: 'contoso.beta' })));
    const records = await waitForRecord(
      config,
      (all) => recordsFor(all, 'contoso.alpha')[0]?.eventCount === 2 && recordsFor(all, 'contoso.beta').length === 1,
      'two offers, one customer',
    );
    expect(recordsFor(records, 'contoso.alpha')).toHaveLength(1);
    expect(recordsFor(records, 'contoso.beta')).toHaveLength(1);
    expect(recordsFor(records, 'contoso.alpha')[0]!.stage).toBe('active');
  });

  test('do-not-contact and test leads are stored and flagged, with no follow-up entry', async () => {
    await fetch(`${host.baseUrl}/api/leads`, { method: 'POST', body: sample('do-not-contact') });
    await fetch(`${host.baseUrl}/api/leads`, { method: 'POST', body: sample('test-lead') });
    const records = await waitForRecord(
      config,
      (all) => recordsFor(all, 'bitnami.openedxcypress').length === 1 && recordsFor(all, 'contoso test').length === 1,
      'the DNC and test records',
    );
    const dnc = recordsFor(records, 'bitnami.openedxcypress')[0]!;
    const test = recordsFor(records, 'contoso test')[0]!;
    expect(dnc).toMatchObject({ stage: 'doNotContact', doNotContact: true, isTest: false });
    expect(test).toMatchObject({ isTest: true });
    const store = testStore(config);
    const indexed: string[] = [];
    for await (const e of store.tables.followUps.listEntities()) indexed.push(String(e.leadId));
    expect(indexed).not.toContain(dnc.leadId);
    expect(indexed).not.toContain(test.leadId);
  });

  test('a new lead gets reminder and escalation entries at first seen + 24 h and + 48 h', async () => {
    const receivedAt = new Date('2026-03-01T10:20:30.000Z');
    const envelope = envelopeFor(leadWith({ email: 'index@contoso.example', offer: 'contoso.index' }), receivedAt);
    await enqueue(config, envelope);
    await waitForRecord(config, (all) => recordsFor(all, 'contoso.index').length === 1, 'the indexed record');
    const store = testStore(config);
    const entries: unknown[][] = [];
    for await (const e of store.tables.followUps.listEntities())
      if (e.leadId === envelope.id) entries.push([e.partitionKey, e.rowKey, e.dueAt]);
    expect(entries.sort()).toEqual([
      ['2026030210', `remind-${envelope.id}`, '2026-03-02T10:20:30.000Z'],
      ['2026030310', `escalate-${envelope.id}`, '2026-03-03T10:20:30.000Z'],
    ]);
  });

  test('the same body POSTed again (a retry of a request cut mid-flight) is one event, even for a lead naming no customer', async () => {
    const post = async (body: string): Promise<void> => {
      expect((await fetch(`${host.baseUrl}/api/leads`, { method: 'POST', body })).status).toBe(202);
    };
    const retried = leadWith({ email: 'retry@contoso.example', offer: 'contoso.retry' });
    const anonymous = sample('edu-no-personal-data');
    await post(retried);
    await post(retried);
    await post(anonymous);
    await post(anonymous);
    const store = testStore(config);
    // Both copies of each are stored (the queue delivered four messages); each record counts one event.
    const records = await waitForRecord(
      config,
      (all) => all.some((r) => r.offerKey === 'contoso.retry') && all.some((r) => r.offerKey.startsWith('docusign.')),
      'the retried leads',
    );
    for (const offer of ['contoso.retry', 'docusign.']) {
      const mine = records.filter((r) => r.offerKey.startsWith(offer));
      expect(mine).toHaveLength(1);
      await eventually(`both copies stored for ${offer}`, async () =>
        (await arrivalsOf(store, mine[0]!.leadId)).length === 2 ? true : undefined,
      );
    }
    const after = (await allLeads(config)).filter(
      (r) => r.offerKey === 'contoso.retry' || r.offerKey.startsWith('docusign.'),
    );
    expect(after.map((r) => r.eventCount)).toEqual([1, 1]);
    const detail = (await (await fetch(`${host.baseUrl}/api/leads/${after[0]!.leadId}`)).json()) as {
      history: { kind: string }[];
    };
    expect(detail.history.filter((e) => e.kind === 'arrival')).toHaveLength(1);
  });

  test('a message that can never succeed lands in RejectedLeads on the first try', async () => {
    const queue = leadQueue(config);
    await queue.sendMessage(Buffer.from('this is not an envelope').toString('base64'));
    const bad = envelopeFor('[1,2,3]');
    await queue.sendMessage(encodeEnvelope(bad));
    const store = testStore(config);
    const rejected = await eventually('two rejected rows', async () => {
      const rows: Record<string, unknown>[] = [];
      for await (const e of store.tables.rejected.listEntities()) rows.push(e);
      return rows.length >= 2 ? rows : undefined;
    });
    expect(rejected.map((r) => r.reason).sort()).toEqual([
      'the lead payload is not a JSON object',
      'the message is not JSON',
    ]);
    expect(rejected.find((r) => r.reason === 'the lead payload is not a JSON object')?.rowKey).toBe(bad.id);
    // First try: processed once, nothing poisoned.
    expect(host.output()).not.toMatch(/moved to leads-incoming-poison/);
  });

  test('a never-valid message too large for one table property is still rejected on the first try', async () => {
    const text = 'not an envelope '.repeat(2500);
    const sent = await leadQueue(config).sendMessage(Buffer.from(text).toString('base64'));
    const store = testStore(config);
    await store.ensureTables();
    const row = await eventually('the rejected row', async () => {
      for await (const e of store.tables.rejected.listEntities<Record<string, unknown>>())
        if (e.rowKey === sent.messageId) return e;
      return undefined;
    });
    expect(row).toMatchObject({
      reason: 'the message is not JSON',
      messageLength: text.length,
      messageSha256: createHash('sha256').update(text).digest('hex'),
      message: text.slice(0, REJECTED_EXCERPT_CHARS),
      truncated: true,
    });
    expect(host.output()).not.toMatch(/moved to leads-incoming-poison/);
  });
});

describe('poisoned leads are kept for good', () => {
  test('a poison message is copied to PoisonedLeads, alerted and counted, then replayed once from there', async () => {
    const azurite = await startTestAzurite();
    const config = testConfig(azurite.connectionString);
    const host = await startHost({ AzureWebJobsStorage: azurite.connectionString });
    const envelope = envelopeFor(leadWith({ email: 'kept@contoso.example', offer: 'contoso.kept' }));
    try {
      // As the host parks a message that failed maxDequeueCount times: the original text, the default time-to-live.
      const poison = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(
        config.poisonQueueName,
      );
      await poison.createIfNotExists();
      await poison.sendMessage(encodeEnvelope(envelope));

      const health = async (): Promise<{ poisonedLeads: number }> =>
        (await (await fetch(`${host.baseUrl}/api/health`)).json()) as { poisonedLeads: number };
      await eventually('the poisoned lead kept', async () => ((await health()).poisonedLeads === 1 ? true : undefined));
      expect((await poison.getProperties()).approximateMessagesCount).toBe(0);
      const store = testStore(config);
      const rows: Record<string, unknown>[] = [];
      for await (const row of store.tables.poisoned.listEntities()) rows.push(row);
      expect(rows).toEqual([expect.objectContaining({ rowKey: envelope.id, envelopeId: envelope.id, chunks: 1 })]);
      // The alert names the lead by id only.
      expect(host.output()).toMatch(
        new RegExp(`ALERT: Lead ${envelope.id} failed processing 5 times; kept in PoisonedLeads`),
      );
      expect(host.output()).not.toMatch(/kept@contoso/);

      const env = { ...process.env, ...sampleSettings(), AzureWebJobsStorage: azurite.connectionString };
      const replay = await run(process.execPath, [path.join(repoRoot, 'build', 'scripts', 'replay-poison.js')], {
        env,
      });
      expect(replay.stdout).toMatch(/Sent 1 poisoned lead\(s\) back .*; 0 failed; 0 left/);
      const records = await waitForRecord(
        config,
        (all) => all.some((r) => r.offerKey === 'contoso.kept'),
        'the replayed lead',
      );
      expect(records.filter((r) => r.offerKey === 'contoso.kept')).toEqual([
        expect.objectContaining({ leadId: envelope.id, eventCount: 1 }),
      ]);
      expect((await health()).poisonedLeads).toBe(0);
    } finally {
      await host.stop();
      await azurite.stop();
    }
  });
});

describe('a malformed table setting', () => {
  test('a lead accepted with a 202 is poisoned, then put back on the poison queue without expiry, never lost', async () => {
    const azurite = await startTestAzurite();
    const config = testConfig(azurite.connectionString);
    const service = QueueServiceClient.fromConnectionString(azurite.connectionString);
    // A hand-off message as the host parks it after handOffLead failed it: kept the same way as a lead.
    const handOffPoison = service.getQueueClient('lead-handoffs-poison');
    await handOffPoison.createIfNotExists();
    await handOffPoison.sendMessage(Buffer.from('{"leadId":"01J0000000000000000000000A"}').toString('base64'));
    // The tables group is wrong; the queue and storage settings, which ingestLead needs, are right.
    const host = await startHost({
      AzureWebJobsStorage: azurite.connectionString,
      TABLE_NAME_PREFIX: '1-bad',
      AzureFunctionsJobHost__extensions__queues__maxDequeueCount: '3',
      AzureFunctionsJobHost__extensions__queues__visibilityTimeout: '00:00:00',
    });
    try {
      const res = await fetch(`${host.baseUrl}/api/leads`, { method: 'POST', body: sample('journey-1-contact-me') });
      expect(res.status).toBe(202);
      // Either end for each: put back (kept), or handed to the host's last resort, where it would expire.
      const ended = (queue: string): boolean =>
        host.output().includes(`put back on ${queue}-poison without expiry`) ||
        host.output().includes(`moved to ${queue}-poison-poison`);
      await eventually(
        'the poisoned lead and hand-off put back or moved on',
        () => (ended('leads-incoming') && ended('lead-handoffs') ? true : undefined),
        45000,
      );
    } finally {
      await host.stop();
    }
    try {
      const output = host.output();
      // The alert names the setting, never its value; nothing went to the host's last resort.
      expect(output).toMatch(
        /ALERT: Lead \S+ failed processing and could not be kept in PoisonedLeads \(.*TABLE_NAME_PREFIX/,
      );
      expect(output).toMatch(
        /ALERT: Hand-off message \S+ failed handOffLead and could not be kept in PoisonedLeads \(.*TABLE_NAME_PREFIX.*\); put back on lead-handoffs-poison without expiry/,
      );
      expect(output).not.toMatch(/ALERT:.*1-bad/);
      expect(output).not.toMatch(/-poison-poison/);
      expect(await service.getQueueClient(`${config.poisonQueueName}-poison`).exists()).toBe(false);
      expect(await service.getQueueClient('lead-handoffs-poison-poison').exists()).toBe(false);
      const handOffs = (await handOffPoison.peekMessages({ numberOfMessages: 32 })).peekedMessageItems;
      expect(handOffs.map((m) => m.expiresOn.getUTCFullYear())).toEqual([9999]);
      // The copy on the poison queue never expires (Azurite's "never" is the year 9999).
      const { peekedMessageItems } = await service
        .getQueueClient(config.poisonQueueName)
        .peekMessages({ numberOfMessages: 32 });
      expect(peekedMessageItems.map((m) => m.expiresOn.getUTCFullYear())).toEqual([9999]);
      expect(Buffer.from(peekedMessageItems[0]!.messageText, 'base64').toString('utf8')).toContain('Kowalski');
    } finally {
      await azurite.stop();
    }
  });
});

describe('storage failing while processing', () => {
  test('retries, then poisons after maxDequeueCount; replay-poison brings it back and it lands once', async () => {
    const azurite = await startTestAzurite();
    const config = testConfig(azurite.connectionString);
    // Queues work, tables do not: the processor fails after taking the message.
    const brokenTables = azurite.connectionString.replace(
      /TableEndpoint=http:\/\/127\.0\.0\.1:\d+/,
      'TableEndpoint=http://127.0.0.1:9',
    );
    const fastRetry = {
      AzureFunctionsJobHost__extensions__queues__maxDequeueCount: '3',
      AzureFunctionsJobHost__extensions__queues__visibilityTimeout: '00:00:00',
    };
    const broken = await startHost({ AzureWebJobsStorage: brokenTables, ...fastRetry });
    const envelope = envelopeFor(leadWith({ email: 'poison@contoso.example', offer: 'contoso.poison' }));
    try {
      await enqueue(config, envelope);
      await eventually(
        'the message to be poisoned',
        () => (broken.output().includes('moved to leads-incoming-poison') ? true : undefined),
        45000,
      );
      expect(broken.output().match(/Executed 'processLead' \(Failed/g)).toHaveLength(3);
    } finally {
      await broken.stop();
    }

    const env = { ...process.env, ...sampleSettings(), AzureWebJobsStorage: azurite.connectionString };
    const dry = await run(
      process.execPath,
      [path.join(repoRoot, 'build', 'scripts', 'replay-poison.js'), '--dry-run'],
      {
        env,
      },
    );
    expect(dry.stdout).toMatch(/1 poisoned lead\(s\) waiting in leads-incoming-poison and PoisonedLeads/);

    const healthy = await startHost({ AzureWebJobsStorage: azurite.connectionString });
    try {
      // The copy the failing host could not keep went back to the poison queue without expiry; now it is kept.
      await eventually('the poisoned lead kept', async () => {
        const health = (await (await fetch(`${healthy.baseUrl}/api/health`)).json()) as { poisonedLeads: number };
        return health.poisonedLeads === 1 ? true : undefined;
      });
      const replay = await run(process.execPath, [path.join(repoRoot, 'build', 'scripts', 'replay-poison.js')], {
        env,
      });
      expect(replay.stdout).toMatch(
        /Sent 1 poisoned lead\(s\) back to leads-incoming \(0 from leads-incoming-poison, 1 kept in PoisonedLeads\); 0 failed; 0 left/,
      );
      const records = await waitForRecord(
        config,
        (all) => all.some((r) => r.offerKey === 'contoso.poison'),
        'the replayed lead',
      );
      expect(records.filter((r) => r.offerKey === 'contoso.poison')).toEqual([
        expect.objectContaining({ leadId: envelope.id, eventCount: 1 }),
      ]);
      expect(await arrivalsOf(testStore(config), envelope.id)).toHaveLength(1);
    } finally {
      await healthy.stop();
      await azurite.stop();
    }
  });
});
