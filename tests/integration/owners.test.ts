/**
 * Owners end to end: leads through the real queue into the local host, each assigned an owner from its route's
 * recipients; the API shows and filters by owner, PATCH reassigns (recorded in the history) and refuses an address
 * the settings do not name, and the CSV carries the owner.
 */
import type { RunningAzurite } from '../../local-host/src/azurite';
import type { AppConfig } from '../../shared/config';
import { parseCsv } from '../support/csv';
import { type HostProcess, startHost, startTestAzurite } from '../support/hostProcess';
import { getJson, leadBody, type ListBody, seedAt, waitForLead } from '../support/leadApi';
import { testConfig } from '../support/leadFixtures';

jest.setTimeout(120_000);

const SELLERS = ['ana@sales.example', 'ben@sales.example', 'cy@sales.example'];
const VIP = 'vip@sales.example';

interface Detail {
  lead: { leadId: string; owner?: string; ownerSince?: string };
  history: { kind: string; owner?: string; via?: string; by?: string }[];
}

describe('owners through the local host', () => {
  let azurite: RunningAzurite;
  let host: HostProcess;
  let config: AppConfig;
  const ids: string[] = [];
  let vipLead = '';

  beforeAll(async () => {
    azurite = await startTestAzurite();
    const settings = {
      AzureWebJobsStorage: azurite.connectionString,
      REMINDER_RECIPIENTS: SELLERS.join(','),
      REMINDER_ROUTES: JSON.stringify({ 'contoso.vip': VIP }),
    };
    config = testConfig(azurite.connectionString, settings);
    host = await startHost(settings);
    const now = Date.now();
    for (const [i, name] of ['ada', 'grace', 'alan', 'edsger', 'barbara', 'ken'].entries()) {
      ids.push(
        await seedAt(
          config,
          leadBody({ firstName: name, lastName: 'X', email: `${name}@${name}-corp.example` }, 'contoso.widgets'),
          new Date(now - (i + 1) * 60_000),
        ),
      );
    }
    vipLead = await seedAt(config, leadBody({ lastName: 'V', email: 'v@vip.example' }, 'contoso.vip'), new Date());
    for (const id of [...ids, vipLead]) await waitForLead(host.baseUrl, id);
  });

  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  const detail = async (id: string): Promise<Detail> => (await getJson<Detail>(`${host.baseUrl}/api/leads/${id}`)).body;

  test('every lead has an owner from its route, shown with the lead and in its history', async () => {
    for (const id of ids) {
      const { lead, history } = await detail(id);
      expect(SELLERS).toContain(lead.owner);
      expect(history.filter((e) => e.kind === 'owner')).toEqual([
        expect.objectContaining({ owner: lead.owner, via: 'rotation' }),
      ]);
    }
    expect((await detail(vipLead)).lead.owner).toBe(VIP);
  });

  test('PATCH reassigns to a named recipient, recorded in the history; an unknown address is a 400 naming owner', async () => {
    const id = ids[0] ?? '';
    const refused = await getJson<{ problems: { field: string; rule: string }[] }>(`${host.baseUrl}/api/leads/${id}`, {
      method: 'PATCH',
      body: JSON.stringify({ owner: 'stranger@elsewhere.example' }),
    });
    expect(refused.status).toBe(400);
    expect(refused.body.problems).toEqual([expect.objectContaining({ field: 'owner', rule: 'known' })]);

    const patched = await fetch(`${host.baseUrl}/api/leads/${id}`, {
      method: 'PATCH',
      body: JSON.stringify({ owner: 'VIP@sales.example', by: 'Ola', note: 'knows them' }),
    });
    expect(patched.status).toBe(200);
    const { lead, history } = await detail(id);
    expect(lead.owner).toBe(VIP);
    expect(history.filter((e) => e.kind === 'owner').map((e) => [e.owner, e.via, e.by])).toEqual([
      [expect.any(String), 'rotation', undefined],
      [VIP, 'api', 'Ola'],
    ]);
  });

  test('?owner= lists one owner’s leads whatever the case, and the CSV names each lead’s owner', async () => {
    const mine = await getJson<ListBody>(`${host.baseUrl}/api/leads?owner=VIP@Sales.Example&limit=100`);
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((l) => l.leadId).sort()).toEqual([ids[0], vipLead].sort());
    const csv = parseCsv((await (await fetch(`${host.baseUrl}/api/leads/export.csv`)).text()).replace(/^\uFEFF/, ''));
    const header = csv[0] ?? [];
    const owners = new Map(csv.slice(1).map((row) => [row[0], row[header.indexOf('Owner')]]));
    expect(owners.get(vipLead)).toBe(VIP);
    for (const id of ids.slice(1)) expect(SELLERS).toContain(owners.get(id));
  });
});
