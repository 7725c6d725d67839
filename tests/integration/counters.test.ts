/**
 * Stats counters against the records they count: a mixed workload through the app (first leads, merges, status
 * changes, a test lead, erasure, leads from last week and last month), then `GET /api/stats` (from the counters)
 * must equal the stats folded from every listed record, and a rebuild of the counters must find nothing to correct.
 */
import type { RunningAzurite } from '../../local-host/src/azurite';
import type { AppConfig } from '../../shared/config';
import { scannedStats } from '../../shared/sell/pipelineStats';
import { rebuildCounters } from '../../shared/sell/rebuildCounters';
import type { PipelineStats } from '../../shared/sell/stats';
import { storePageSource } from '../../shared/sell/storePageSource';
import { type HostProcess, startHost, startTestAzurite } from '../support/hostProcess';
import { getJson, leadBody, seedAt, statusAt, waitForLead } from '../support/leadApi';
import { testConfig } from '../support/leadFixtures';
import { testStore } from '../support/testStore';

jest.setTimeout(180_000);

const HOUR = 3_600_000;

describe('stats counters', () => {
  let azurite: RunningAzurite;
  let host: HostProcess;
  let config: AppConfig;
  const now = Date.now();
  const at = (hoursAgo: number): Date => new Date(now - hoursAgo * HOUR);

  const statsNow = async (): Promise<PipelineStats> => {
    const res = await getJson<PipelineStats>(`${host.baseUrl}/api/stats`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const scanned = async (): Promise<PipelineStats> => {
    const store = testStore(config);
    const when = new Date();
    return scannedStats(await storePageSource(store, when), when);
  };
  const withoutTime = ({ generatedAt: _, ...rest }: PipelineStats): Omit<PipelineStats, 'generatedAt'> => rest;

  beforeAll(async () => {
    azurite = await startTestAzurite();
    const settings = { TABLE_NAME_PREFIX: 'Counts', LEADS_QUEUE_NAME: 'counts-incoming' };
    config = testConfig(azurite.connectionString, settings);
    host = await startHost({ AzureWebJobsStorage: azurite.connectionString, ...settings });

    const person = (n: number): { firstName: string; lastName: string; email: string; company: string } => ({
      firstName: `Anna${n}`,
      lastName: `Counter${n}`,
      email: `anna${n}@counts.example`,
      company: `Firm ${n % 3}`,
    });
    const ids: string[] = [];
    // First leads over two months and two offers, some of them do-not-contact.
    for (let n = 0; n < 12; n++) {
      const offer = n % 2 === 0 ? 'counts.alpha' : 'counts.beta';
      const action = n % 5 === 4 ? 'DNC' : 'PLT';
      ids.push(await seedAt(config, leadBody(person(n), offer, { action }), at(n * 110 + 1)));
    }
    for (const id of ids) await waitForLead(host.baseUrl, id);
    // Merges: the same customers again, a further stage, and one earlier lead processed late (first seen moves back).
    await seedAt(config, leadBody(person(0), 'counts.alpha', { action: 'Create' }), at(0.5));
    await seedAt(config, leadBody(person(3), 'counts.beta', { action: 'Create' }), at(2));
    await seedAt(config, leadBody(person(2), 'counts.alpha'), at(1000));
    await waitForLead(host.baseUrl, ids[0]!, 2);
    await waitForLead(host.baseUrl, ids[3]!, 2);
    await waitForLead(host.baseUrl, ids[2]!, 2);
    // A test lead: listed, never counted.
    await waitForLead(
      host.baseUrl,
      await seedAt(
        config,
        leadBody({ firstName: 'MSFT_TEST', email: 'MSFT_TEST@test.example' }, 'counts.alpha'),
        at(3),
      ),
    );
    // Status changes, including one back to new.
    await statusAt(config, ids[1]!, 'contacted', at(100));
    await statusAt(config, ids[2]!, 'qualified', at(200));
    await statusAt(config, ids[5]!, 'contacted', at(500));
    await statusAt(config, ids[6]!, 'disqualified', at(600));
    const patch = await fetch(`${host.baseUrl}/api/leads/${ids[7]}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'contacted' }),
    });
    expect(patch.status).toBe(200);
    // Erasure keeps a tombstone that still counts.
    const erased = await fetch(`${host.baseUrl}/api/leads/${ids[5]}`, { method: 'DELETE' });
    expect(erased.status).toBe(200);
  });

  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  test('GET /api/stats from the counters equals the stats of every listed record', async () => {
    const fromCounters = await statsNow();
    expect(fromCounters.overall.total).toBe(12);
    expect(fromCounters.overall.speedToLead.contacted).toBeGreaterThanOrEqual(4);
    expect(withoutTime(fromCounters)).toEqual(withoutTime(await scanned()));
  });

  test('a rebuild finds the counters right, and corrects a shard that is wrong', async () => {
    const store = testStore(config);
    const before = await statsNow();
    const first = await rebuildCounters(store, new Date());
    expect(first.corrected).toBe(0);
    expect(first.records).toBe(13);

    // Break one shard (and its copy): the rebuild puts it back.
    const [shard] = await store.mirroredShards();
    const source = await store.counterShard(shard!.partition, shard!.offerKey);
    const broken = { ...source!, shard: { ...source!.shard, total: source!.shard.total + 5 }, seq: source!.seq + 1 };
    expect(await store.replaceMonthShards([broken])).toBe('saved');
    await store.mirrorShard({ ...broken, etag: undefined });
    expect((await statsNow()).overall.total).toBe(17);

    const second = await rebuildCounters(store, new Date());
    expect(second.corrected).toBe(1);
    expect(withoutTime(await statsNow())).toEqual(withoutTime(before));
  });
});
