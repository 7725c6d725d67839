/**
 * The read API end to end: Azurite, the local host in its own process, leads seeded through the real queue at
 * chosen times (so they land in different month partitions) or POSTed like Microsoft does, then queried over HTTP.
 */
import fs from 'node:fs';
import path from 'node:path';

import type { RunningAzurite } from '../../local-host/src/azurite';
import type { AppConfig } from '../../shared/config';
import { parseCsv } from '../support/csv';
import { type HostProcess, repoRoot, startHost, startTestAzurite } from '../support/hostProcess';
import {
  getJson,
  leadBody,
  type LeadSummary,
  listAll,
  type ListBody,
  seedAt,
  statusAt,
  waitForLead,
} from '../support/leadApi';
import { testConfig } from '../support/leadFixtures';

jest.setTimeout(180_000);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('lead API through the local host', () => {
  let azurite: RunningAzurite;
  let host: HostProcess;
  let config: AppConfig;
  const now = new Date();
  const ids: Record<string, string> = {};
  const paging: { id: string; at: Date }[] = [];
  let base: string;

  beforeAll(async () => {
    azurite = await startTestAzurite();
    config = testConfig(azurite.connectionString);
    host = await startHost({ AzureWebJobsStorage: azurite.connectionString });
    base = host.baseUrl;

    ids.alice = await seedAt(
      config,
      leadBody(
        { firstName: 'Alice', lastName: 'Anders', company: 'Northwind', email: 'Alice.Anders@Northwind.example' },
        'northwind.crm',
        { offerTitle: 'Northwind CRM' },
      ),
      new Date(now.getTime() - 2 * HOUR),
    );
    ids.bob = await seedAt(
      config,
      leadBody(
        { firstName: 'Bob', lastName: 'Berg', company: 'Tailspin', email: 'bob@tailspin.example' },
        'northwind.crm',
        { source: 'AppSource (SPZA)', action: 'INS', offerTitle: 'Northwind CRM' },
      ),
      new Date(now.getTime() - 30 * HOUR),
    );
    ids.carla = await seedAt(
      config,
      leadBody(
        {
          firstName: '@SUM(A1:A9)',
          lastName: '-2+3',
          company: '=HYPERLINK("http://evil.example","click")',
          title: '+cmd|calc',
          email: 'carla@cruz.example',
        },
        'contoso.sheets',
      ),
      new Date(now.getTime() - 5 * HOUR),
    );
    for (let i = 0; i < 12; i++) {
      const at = new Date(now.getTime() - (i * 6 + 1) * DAY);
      paging.push({
        id: await seedAt(
          config,
          leadBody({ firstName: `Pat${i}`, lastName: 'Paging', email: `p${i}@paging.example` }, 'contoso.paging'),
          at,
        ),
        at,
      });
    }
    const post = (name: string): Promise<Response> =>
      fetch(`${base}/api/leads`, {
        method: 'POST',
        body: fs.readFileSync(path.join(repoRoot, 'samples', `${name}.json`)),
      });
    const test = (await (await post('test-lead')).json()) as { id: string };
    const dnc = (await (await post('do-not-contact')).json()) as { id: string };
    ids.test = test.id;
    ids.dnc = dnc.id;
    for (const id of [...Object.values(ids), ...paging.map((p) => p.id)]) await waitForLead(base, id);

    const patched = await fetch(`${base}/api/leads/${ids.bob}`, {
      method: 'PATCH',
      body: JSON.stringify({ status: 'contacted', by: 'Ola' }),
    });
    expect(patched.status).toBe(200);
  });

  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  const everyId = (): string[] => [ids.alice!, ids.bob!, ids.carla!, ids.dnc!, ...paging.map((p) => p.id)];
  const newestFirst = (list: string[]): string[] => [...list].sort().reverse();

  test('lists newest first, test leads only when asked', async () => {
    const { status, body } = await getJson<ListBody>(`${base}/api/leads`);
    expect(status).toBe(200);
    expect(body.items.map((l) => l.leadId)).toEqual(newestFirst(everyId()));
    expect(body.continuation).toBeNull();
    const withTest = await getJson<ListBody>(`${base}/api/leads?includeTest=true`);
    expect(withTest.body.items.map((l) => l.leadId)).toEqual(newestFirst([...everyId(), ids.test!]));
  });

  test('filters by status, stage, offer, source and text prefix', async () => {
    const list = async (query: string): Promise<string[]> => (await listAll(base, query)).items.map((l) => l.leadId);
    expect(await list('status=contacted')).toEqual([ids.bob]);
    expect(await list('status=new,contacted&offer=Northwind%20CRM')).toEqual([ids.alice, ids.bob]);
    expect(await list('stage=active')).toEqual([ids.bob]);
    expect(await list('stage=doNotContact')).toEqual([ids.dnc]);
    expect(await list('offer=NORTHWIND.CRM')).toEqual([ids.alice, ids.bob]);
    expect(await list('source=appsource')).toEqual(newestFirst([ids.bob!, ids.dnc!]));
    expect(await list('q=ali')).toEqual([ids.alice]);
    expect(await list('q=TAILSP')).toEqual(newestFirst([ids.bob!, ids.dnc!]));
    expect(await list('q=bob')).toEqual([ids.bob]);
    expect(await list('q=alice.anders%40north')).toEqual([ids.alice]);
    expect(await list('q=anders')).toEqual([ids.alice]);
    expect(await list('q=northwind.example')).toEqual([]);
    expect(await list('q=pat1')).toEqual(newestFirst([paging[1]!.id, paging[10]!.id, paging[11]!.id]));
  });

  test('pages across continuation tokens and month partitions, each lead once, in order', async () => {
    const expected = newestFirst(paging.map((p) => p.id));
    for (const limit of [1, 5, 7]) {
      const { items, pages } = await listAll(base, `offer=contoso.paging&limit=${limit}`);
      expect(items.map((l) => l.leadId)).toEqual(expected);
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(12 / limit));
    }
    const months = new Set(paging.map((p) => p.at.toISOString().slice(0, 7)));
    expect(months.size).toBeGreaterThanOrEqual(3);
    const first = await getJson<ListBody>(`${base}/api/leads?offer=contoso.paging&limit=5`);
    expect(first.body.items).toHaveLength(5);
    expect(first.body.continuation).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  test('since and until bound the first-seen time', async () => {
    const since = new Date(now.getTime() - 20 * DAY).toISOString();
    const until = new Date(now.getTime() - 40 * DAY).toISOString();
    const recent = await listAll(base, `offer=contoso.paging&since=${encodeURIComponent(since)}`);
    expect(recent.items.map((l) => l.leadId)).toEqual(
      newestFirst(paging.filter((p) => p.at.toISOString() >= since).map((p) => p.id)),
    );
    const old = await listAll(base, `offer=contoso.paging&until=${encodeURIComponent(until)}`);
    expect(old.items.map((l) => l.leadId)).toEqual(
      newestFirst(paging.filter((p) => p.at.toISOString() <= until).map((p) => p.id)),
    );
    expect(old.items.length).toBeGreaterThan(0);
    const day = new Date(now.getTime() - 30 * HOUR).toISOString().slice(0, 10);
    const oneDay = await listAll(base, `since=${day}&until=${day}&offer=northwind.crm`);
    expect(oneDay.items.map((l) => l.leadId)).toEqual([ids.bob]);
  });

  test('never exposes the raw payload or the matching key; the detail has the history, raw only on request', async () => {
    const list = await fetch(`${base}/api/leads?includeTest=true&limit=500`);
    const text = await list.text();
    expect(text).not.toMatch(/rawBody|emailMatch/);
    const detail = await getJson<{ lead: LeadSummary & Record<string, unknown>; history: Record<string, unknown>[] }>(
      `${base}/api/leads/${ids.bob}`,
    );
    expect(detail.status).toBe(200);
    expect(detail.body.lead).toMatchObject({ leadId: ids.bob, status: 'contacted', statusBy: 'Ola' });
    expect(detail.body.lead.emailMatch).toBeUndefined();
    // Seeded 30 hours back, so the owner processing assigned comes after the arrival.
    expect(detail.body.history.map((e) => e.kind)).toEqual(['arrival', 'owner', 'status']);
    expect(JSON.stringify(detail.body)).not.toMatch(/rawBody|emailMatch/);
    const raw = await getJson<{ history: { kind: string; rawBody?: string }[] }>(
      `${base}/api/leads/${ids.bob!.toLowerCase()}?raw=true`,
    );
    expect(raw.status).toBe(200);
    expect(JSON.parse(raw.body.history[0]!.rawBody!)).toMatchObject({ UserDetails: { Email: 'bob@tailspin.example' } });
  });

  test('export.csv streams RFC 4180 CSV with a BOM, honours the filters and neutralises formula cells', async () => {
    const res = await fetch(`${base}/api/leads/export.csv?offer=contoso.sheets&code=test-key`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="leads-\d{4}-\d{2}-\d{2}\.csv"$/);
    // Streamed (index.ts switches HTTP streaming on): sent as it is written, so no length is known up front.
    expect(res.headers.get('content-length')).toBeNull();
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString('utf8');
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text);
    expect(rows).toHaveLength(2);
    const cells = Object.fromEntries(rows[0]!.map((h, i) => [h, rows[1]![i]]));
    expect(cells).toMatchObject({
      'Lead id': ids.carla,
      'First name': "'@SUM(A1:A9)",
      'Last name': "'-2+3",
      Company: `'=HYPERLINK("http://evil.example","click")`,
      Title: "'+cmd|calc",
      Email: 'carla@cruz.example',
    });
    // Every line starts with a quote: no cell can start a formula, whatever its content.
    expect(
      text
        .split('\r\n')
        .filter((l) => l !== '')
        .every((l) => l.startsWith('"')),
    ).toBe(true);

    const all = parseCsv((await (await fetch(`${base}/api/leads/export.csv`)).text()).replace(/^\uFEFF/, ''));
    expect(all.slice(1).map((r) => r[0])).toEqual(newestFirst(everyId()));
  });

  test('bad input is a 400 naming the parameter and allowed values; unknown ids are 404; no stack traces', async () => {
    const cases: [string, string, string[] | undefined][] = [
      ['leads?status=open', 'status', ['new', 'contacted', 'qualified', 'disqualified']],
      ['leads?limit=501', 'limit', undefined],
      ['leads?since=last-week', 'since', undefined],
      ['leads?continuation=bogus', 'continuation', undefined],
      ['leads?includeTest=maybe', 'includeTest', ['true', 'false']],
      ['leads?stauts=new', 'stauts', undefined],
      ['leads/export.csv?stage=won', 'stage', ['interest', 'trial', 'active', 'doNotContact']],
      ['leads/not-an-id', 'id', undefined],
      [`leads/${ids.bob}?raw=yes`, 'raw', ['true', 'false']],
      ['stats?offer=x', 'offer', undefined],
    ];
    for (const [url, parameter, allowed] of cases) {
      const res = await getJson<{ error: string; message: string; problems: { field: string; allowed?: string[] }[] }>(
        `${base}/api/${url}`,
      );
      const named = res.body.problems[0];
      expect({ url, status: res.status, error: res.body.error, parameter: named?.field }).toEqual({
        url,
        status: 400,
        error: 'invalid_request',
        parameter,
      });
      if (allowed) expect(named?.allowed).toEqual(allowed);
      expect(res.body.message).not.toMatch(/\n\s+at |\.js:\d+/);
    }
    // ULID-shaped, but the time field overflows 48 bits: not an id we could have issued.
    const overflow = '8ZZZZZZZZZZZZZZZZZZZZZZZZZ';
    // A malformed id is the same 400 naming `id` on every method.
    for (const method of ['GET', 'DELETE', 'PATCH']) {
      const body = method === 'PATCH' ? '{"status":"contacted"}' : undefined;
      const res = await getJson<{ problems: { field: string }[] }>(`${base}/api/leads/${overflow}`, { method, body });
      expect({ method, status: res.status, parameter: res.body.problems[0]?.field }).toEqual({
        method,
        status: 400,
        parameter: 'id',
      });
    }
    const unknownPatch = await getJson<{ error: string }>(`${base}/api/leads/01ARZ3NDEKTSV4RRFFQ69G5FAV`, {
      method: 'PATCH',
      body: '{"status":"contacted"}',
    });
    expect(unknownPatch).toMatchObject({ status: 404, body: { error: 'not_found' } });
    const missing = await getJson<{ error: string }>(`${base}/api/leads/01ARZ3NDEKTSV4RRFFQ69G5FAV`);
    expect(missing).toMatchObject({ status: 404, body: { error: 'not_found' } });
    const gone = await fetch(`${base}/api/leads/01ARZ3NDEKTSV4RRFFQ69G5FAV`, { method: 'DELETE' });
    expect(gone.status).toBe(404);
  });
});

describe('GET /api/stats on a known data set', () => {
  let azurite: RunningAzurite;
  let host: HostProcess;
  let config: AppConfig;
  const now = new Date();
  const at = (hoursAgo: number): Date => new Date(now.getTime() - hoursAgo * HOUR);
  const seen: Date[] = [];

  interface Group {
    total: number;
    byStage: Record<string, number>;
    byStatus: Record<string, number>;
    speedToLead: {
      contacted: number;
      medianHours: number | null;
      p90Hours: number | null;
      within24h: { eligible: number; contacted: number; share: number | null };
    };
    perDay: { date: string; count: number }[];
  }
  let stats: { overall: Group; offers: (Group & { offerKey: string })[] };

  beforeAll(async () => {
    azurite = await startTestAzurite();
    const settings = { TABLE_NAME_PREFIX: 'Stats', LEADS_QUEUE_NAME: 'stats-incoming' };
    config = testConfig(azurite.connectionString, settings);
    host = await startHost({ AzureWebJobsStorage: azurite.connectionString, ...settings });
    const seed = async (offer: string, hoursAgo: number, n: number, action = 'PLT'): Promise<string> => {
      seen.push(at(hoursAgo));
      const id = await seedAt(
        config,
        leadBody({ firstName: `S${n}`, lastName: 'Stats', email: `s${n}@stats.example` }, offer, { action }),
        at(hoursAgo),
      );
      await waitForLead(host.baseUrl, id);
      return id;
    };
    const a1 = await seed('stats.alpha', 50, 1);
    const a2 = await seed('stats.alpha', 40, 2);
    const a3 = await seed('stats.alpha', 30, 3);
    await seed('stats.alpha', 3, 4);
    await seed('stats.alpha', 26, 5, 'DNC');
    const b1 = await seed('stats.beta', 240, 6);
    await seed('stats.beta', 100, 7);
    const testLead = await seedAt(
      config,
      leadBody({ firstName: 'MSFT_TEST', lastName: 'x', email: 'MSFT_TEST@test.example' }, 'stats.alpha'),
      at(1),
    );
    await waitForLead(host.baseUrl, testLead);
    await statusAt(config, a1, 'contacted', at(48));
    await statusAt(config, a2, 'contacted', at(10));
    await statusAt(config, a3, 'qualified', at(26));
    await statusAt(config, b1, 'contacted', at(239));
    const res = await getJson<typeof stats>(`${host.baseUrl}/api/stats`);
    expect(res.status).toBe(200);
    stats = res.body;
  });

  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  test('overall: counts, speed to lead and the 24-hour share, test leads excluded', () => {
    expect(stats.overall.total).toBe(7);
    expect(stats.overall.byStage).toEqual({ interest: 6, trial: 0, active: 0, doNotContact: 1 });
    expect(stats.overall.byStatus).toEqual({ new: 3, contacted: 3, qualified: 1, disqualified: 0 });
    // Hours to first contact: 1, 2, 4, 30 → median 3, p90 4 + 26 × 0.7 = 22.2. Eligible (≥24 h old, not DNC): 5, of which 3 within 24 h.
    expect(stats.overall.speedToLead).toEqual({
      contacted: 4,
      medianHours: 3,
      p90Hours: 22.2,
      within24h: { eligible: 5, contacted: 3, share: 0.6 },
    });
  });

  test('per offer', () => {
    const alpha = stats.offers.find((o) => o.offerKey === 'stats.alpha')!;
    const beta = stats.offers.find((o) => o.offerKey === 'stats.beta')!;
    expect(stats.offers.map((o) => o.offerKey)).toEqual(['stats.alpha', 'stats.beta']);
    expect(alpha).toMatchObject({
      total: 5,
      byStatus: { new: 2, contacted: 2, qualified: 1 },
      byStage: { interest: 4, doNotContact: 1 },
    });
    expect(alpha.speedToLead).toEqual({
      contacted: 3,
      medianHours: 4,
      p90Hours: 24.8,
      within24h: { eligible: 3, contacted: 2, share: 0.67 },
    });
    expect(beta.speedToLead).toEqual({
      contacted: 1,
      medianHours: 1,
      p90Hours: 1,
      within24h: { eligible: 2, contacted: 1, share: 0.5 },
    });
  });

  test('leads per UTC day over the last 30 days', () => {
    const days = stats.overall.perDay;
    expect(days).toHaveLength(30);
    expect(days[29]!.date).toBe(now.toISOString().slice(0, 10));
    const expected = new Map<string, number>();
    for (const d of seen)
      expected.set(d.toISOString().slice(0, 10), (expected.get(d.toISOString().slice(0, 10)) ?? 0) + 1);
    for (const day of days) expect([day.date, day.count]).toEqual([day.date, expected.get(day.date) ?? 0]);
  });
});
