/**
 * Stats counters against the records they count: a mixed workload through the app (first leads, merges, status
 * changes, a test lead, erasure, leads from last week and last month), then `GET /api/stats` (from the counters)
 * must equal the stats folded from every listed record, and a rebuild of the counters must find nothing to correct.
 */
import type { RunningAzurite } from '../../local-host/src/azurite';
import type { AppConfig } from '../../shared/config';
import { scannedStats, type StatsAnswer } from '../../shared/sell/pipelineStats';
import { rebuildCounters } from '../../shared/sell/rebuildCounters';
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

  const statsNow = async (): Promise<StatsAnswer> => {
    const res = await getJson<StatsAnswer>(`${host.baseUrl}/api/stats`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const scanned = async (): Promise<StatsAnswer> => {
    const store = testStore(config);
    const when = new Date();
    return scannedStats(await storePageSource(store, when), when);
  };
  const ids: string[] = [];
  const patch = async (id: string, body: object): Promise<void> => {
    const res = await fetch(`${host.baseUrl}/api/leads/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
  };
  const withoutTime = ({ generatedAt: _, ...rest }: StatsAnswer): Omit<StatsAnswer, 'generatedAt'> => rest;

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
    await patch(ids[7]!, { status: 'contacted' });
    // Decisions through the API: qualified with answers, disqualified with reasons; then, once a read has listed
    // (and counted) them, one reason changed and one disqualification turned into a qualification, so the shards
    // take the listed decisions back.
    await patch(ids[8]!, { status: 'qualified', answers: { budget: 'yes', authority: 'unknown', need: 'yes' } });
    await patch(ids[9]!, { status: 'disqualified', reason: 'No budget' });
    await patch(ids[10]!, { status: 'disqualified', reason: 'Chose a competitor' });
    await patch(ids[11]!, { status: 'disqualified', reason: 'Bad timing' });
    expect((await statsNow()).qualification?.overall.reasons).toContainEqual({ reason: 'Bad timing', count: 1 });
    await patch(ids[10]!, { status: 'disqualified', reason: 'No budget' });
    await patch(ids[11]!, { status: 'qualified', answers: { budget: 'no', timing: 'yes' } });
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
    expect(fromCounters.qualification?.overall).toMatchObject({
      decided: 6,
      qualified: 3,
      disqualified: 3,
      reasons: [{ reason: 'No budget', count: 2 }],
      withoutReason: 1,
    });
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

  test('counters stored before decisions were counted: the stats say so rather than show zeros, and a rebuild counts them', async () => {
    const store = testStore(config);
    const before = await statsNow();
    // Take the decision counts off every shard and its copy, as a store written before they were counted holds them.
    const months = new Set((await store.mirroredShards()).map((s) => s.partition));
    for (const month of months) {
      const old = (await store.monthShards(month)).map((s) => ({
        ...s,
        shard: { ...s.shard, decisions: undefined },
        seq: s.seq + 1,
      }));
      expect(await store.replaceMonthShards(old)).toBe('saved');
      for (const s of old) await store.mirrorShard({ ...s, etag: undefined });
    }
    const { qualification: _, ...figures } = withoutTime(before);
    const unknown = await statsNow();
    expect(unknown).toMatchObject({ ...figures, qualification: null });
    expect(unknown).toHaveProperty('countersNeedRebuild', expect.stringContaining('npm run rebuild-counters'));

    // A decision listed meanwhile moves its shard without counting half of it: still unknown.
    await patch(ids[1]!, { status: 'disqualified', reason: 'No need' });
    expect((await statsNow()).qualification).toBeNull();

    const rebuilt = await rebuildCounters(store, new Date());
    expect(rebuilt.corrected).toBeGreaterThan(0);
    const counted = await statsNow();
    expect(counted.qualification?.overall).toMatchObject({ decided: 7, disqualified: 4 });
    expect(withoutTime(counted)).toEqual(withoutTime(await scanned()));
  });
});
