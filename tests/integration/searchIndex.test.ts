/**
 * The search index on Azurite, kept by the app as leads arrive and change: `GET /api/leads?q=` and `?status=` answer
 * from the index (reading only the leads it proposes) exactly what a walk of the listing answers; the index holds
 * precisely the keys of each listed version (a status change or a new name leaves no old key behind); a store
 * listed before the index existed is walked until `rebuildSearch` builds it, which also clears stale rows.
 */
import type { RunningAzurite } from '../../local-host/src/azurite';
import type { AppConfig } from '../../shared/config';
import { parseListQuery } from '../../shared/sell/leadQuery';
import { type LeadPage, listLeads } from '../../shared/sell/listLeads';
import { rebuildSearch } from '../../shared/sell/search/rebuildSearch';
import { searchKeys, statusKey } from '../../shared/sell/search/searchKeys';
import { storePageSource } from '../../shared/sell/storePageSource';
import { type HostProcess, startHost, startTestAzurite } from '../support/hostProcess';
import { getJson, leadBody, type ListBody, type Person, seedAt, statusAt, waitForLead } from '../support/leadApi';
import { testConfig } from '../support/leadFixtures';
import { type TestRecordStore, testStore } from '../support/testStore';

jest.setTimeout(180_000);

const HOUR = 3_600_000;
const SURNAMES = ['Kowalski', 'Kowalczyk', 'Nowak', 'Wiśniewska', 'Łęcka', 'Kowal'];

describe('search index', () => {
  let azurite: RunningAzurite;
  let host: HostProcess;
  let config: AppConfig;
  let store: TestRecordStore;
  const ids: string[] = [];
  const now = Date.now();
  const person = (n: number): Person => ({
    firstName: n % 2 === 0 ? 'Anna' : 'Jan',
    lastName: SURNAMES[n % SURNAMES.length],
    email: `person${n}@search${n % 3}.example`,
    company: `Firma ${n % 4}`,
  });

  /** Every page of a list query through the API, and the same query walked in-process without the index. */
  const compare = async (query: string): Promise<{ api: string[]; walked: string[]; scanned: number }> => {
    const api: string[] = [];
    let scanned = 0;
    let token: string | null = null;
    do {
      const url: string = `${host.baseUrl}/api/leads?${query}&limit=4${token ? `&continuation=${token}` : ''}`;
      const { status, body } = await getJson<ListBody & { scanned: number }>(url);
      expect(status).toBe(200);
      api.push(...body.items.map((i) => i.leadId));
      scanned += body.scanned;
      token = body.continuation;
    } while (token !== null);
    const parsed = parseListQuery(new URLSearchParams(`${query}&limit=500`));
    if (!parsed.ok) throw new Error(parsed.problem.message);
    const { search: _, ...walkOnly } = await storePageSource(store, new Date());
    const page: LeadPage = await listLeads(walkOnly, parsed.value, new Date());
    return { api, walked: page.items.map((r) => r.leadId), scanned };
  };

  /** The index's rows per lead, and the keys each listed record should have. */
  const indexState = async (): Promise<{ rows: Map<string, string[]>; expected: Map<string, string[]> }> => {
    const rows = new Map<string, string[]>();
    for await (const row of store.searchRows()) rows.set(row.leadId, [...(rows.get(row.leadId) ?? []), row.rowKey]);
    const expected = new Map<string, string[]>();
    for (const id of ids) {
      const listed = await store.listedRecord(id);
      if (listed)
        expected.set(
          id,
          searchKeys(listed.record).map((k) => k.rowKey),
        );
    }
    for (const map of [rows, expected]) for (const [k, v] of map) map.set(k, [...v].sort());
    return { rows, expected };
  };

  beforeAll(async () => {
    azurite = await startTestAzurite();
    const settings = { TABLE_NAME_PREFIX: 'Find', LEADS_QUEUE_NAME: 'find-incoming' };
    config = testConfig(azurite.connectionString, settings);
    store = testStore(config);
    host = await startHost({ AzureWebJobsStorage: azurite.connectionString, ...settings });
    for (let n = 0; n < 30; n++)
      ids.push(await seedAt(config, leadBody(person(n), 'find.alpha'), new Date(now - n * 40 * HOUR)));
    for (const id of ids) await waitForLead(host.baseUrl, id);
    // Status changes, and a customer who gives a new surname with the same address (the record takes the newest).
    await statusAt(config, ids[1]!, 'contacted', new Date(now - HOUR));
    await statusAt(config, ids[2]!, 'qualified', new Date(now - HOUR));
    await statusAt(config, ids[3]!, 'disqualified', new Date(now - HOUR));
    await seedAt(
      config,
      leadBody({ ...person(4), lastName: 'Zielińska' }, 'find.alpha', { action: 'Create' }),
      new Date(now - HOUR),
    );
    await waitForLead(host.baseUrl, ids[4]!, 2);
    // An erased customer: the tombstone keeps its status entry, nothing that names them.
    expect((await fetch(`${host.baseUrl}/api/leads/${ids[5]}`, { method: 'DELETE' })).status).toBe(200);
  });

  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  test.each([
    'q=kowal',
    'q=KOWALC',
    'q=lecka',
    'q=anna%20kow',
    'q=firma%202',
    'q=person1',
    'q=person12%40',
    'q=zielin',
    'status=new',
    'status=contacted,qualified',
    'status=qualified&q=now',
  ])('%s: the index answers what the walk answers, reading only the leads it proposes', async (query) => {
    const { api, walked, scanned } = await compare(query);
    expect(api).toEqual(walked);
    expect(api.length).toBeGreaterThan(0);
    // A walk reads every listed row (30); the index reads the leads it proposes.
    expect(scanned).toBeLessThan(ids.length);
  });

  test('the index holds exactly the keys of each listed version: no key of an old status or an old name', async () => {
    const { rows, expected } = await indexState();
    expect(rows).toEqual(expected);
    expect(await listLeadIds('q=wisniewska')).toHaveLength(5);
    expect(await listLeadIds(`q=${encodeURIComponent(SURNAMES[4 % SURNAMES.length]!)}`)).not.toContain(ids[4]);
    expect((await store.listedRecord(ids[4]!))?.record.lastName).toBe('Zielińska');
    expect(rows.get(ids[5]!)).toEqual([statusKey('new', ids[5]!).rowKey]);
  });

  test('a store listed before the index existed is walked until a rebuild builds the index and clears stale rows', async () => {
    const before = await listLeadIds('q=kowal');
    // As if listed by a version without the index: no rows, no "built" mark.
    const tables = store.tables;
    for await (const row of tables.search.listEntities())
      await tables.search.deleteEntity(row.partitionKey!, row.rowKey!);
    await tables.opsState.deleteEntity('search', 'built-v1');
    const walked = await getJson<ListBody & { scanned: number }>(`${host.baseUrl}/api/leads?q=kowal`);
    expect(walked.body.items.map((i) => i.leadId)).toEqual(before);
    expect(walked.body.scanned).toBe(ids.length);

    // A row no listed version holds (an old status of a lead), as a crash between listing and clean-up leaves it.
    await tables.search.upsertEntity({ ...statusKey('new', ids[1]!), leadId: ids[1]!, version: 1 });

    const report = await rebuildSearch(store, new Date());
    expect(report).toEqual({ records: ids.length, dropped: 1 });
    const { rows, expected } = await indexState();
    expect(rows).toEqual(expected);
    const served = await getJson<ListBody & { scanned: number }>(`${host.baseUrl}/api/leads?q=kowal`);
    expect(served.body.items.map((i) => i.leadId)).toEqual(before);
    expect(served.body.scanned).toBeLessThan(ids.length);
  });

  async function listLeadIds(query: string): Promise<string[]> {
    const { status, body } = await getJson<ListBody>(`${host.baseUrl}/api/leads?${query}&limit=500`);
    expect(status).toBe(200);
    return body.items.map((i) => i.leadId);
  }
});
