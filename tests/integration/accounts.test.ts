/**
 * Accounts against Azurite: people of one organisation domain arriving for the publisher's offers form an account,
 * indexed when the listing catches up; the alert for the 2nd+ person says so, and the lead's detail shows the
 * account's people and offers. Free-mail people form none.
 */
import type { RunningAzurite } from '../../local-host/src/azurite';
import { DEFAULT_TRIAL_DAYS } from '../../shared/config/nurture';
import { arrivalEffects } from '../../shared/followUp/saveEffects';
import { newUlid } from '../../shared/ids';
import type { AlertEnvelope } from '../../shared/queue/alertEnvelope';
import { createEnvelope } from '../../shared/queue/envelope';
import { accountLineFor } from '../../shared/record/accountIndex';
import { recordLead } from '../../shared/record/recordLead';
import { leadDetail } from '../../shared/sell/leadDetail';
import { catchUpListing } from '../../shared/sell/listing';
import { startTestAzurite } from '../support/hostProcess';
import { leadWith, recordDeps, testConfig } from '../support/leadFixtures';
import { testStore } from '../support/testStore';

let azurite: RunningAzurite;

beforeAll(async () => {
  azurite = await startTestAzurite();
});

afterAll(async () => {
  await azurite?.stop();
});

test('the 2nd and 3rd person of a domain are told apart in their alerts; the detail shows the account; free-mail forms none', async () => {
  const config = testConfig(azurite.connectionString, { TABLE_NAME_PREFIX: 'Accounts' });
  const store = testStore(config);
  await store.ensureTables();
  const alerts: AlertEnvelope[] = [];
  const deps = recordDeps(store, {
    effects: arrivalEffects({
      owners: { routes: new Map(), defaults: ['ana@sales.example', 'ben@sales.example'] },
      alertOnNewLead: true,
      handOff: false,
      clock: () => new Date(),
      newId: newUlid,
      accountLine: (record, account) => accountLineFor(store, record, account, new Date()),
    }),
    queues: { alert: (message: AlertEnvelope) => Promise.resolve(void alerts.push(message)) },
  });
  const lead = async (email: string, offer: string, company = 'Fabrikam'): Promise<string> => {
    const envelope = createEnvelope(newUlid(), new Date(), leadWith({ email, offer, company }), { queryKeys: [] });
    const outcome = await recordLead(JSON.stringify(envelope), 'm', deps);
    if (outcome.kind !== 'stored') throw new Error('not stored');
    // The accounts index follows the listing, which every list read and reminder run catches up.
    await catchUpListing(store, new Date(), 100);
    return outcome.leadId;
  };

  const ada = await lead('ada@fabrikam.com', 'contoso.widgets');
  await lead('grace@eu.fabrikam.com', 'contoso.gadgets');
  // One person on a second offer is still the 2nd person, not the 3rd.
  await lead('grace@eu.fabrikam.com', 'contoso.sprockets');
  await lead('alan@fabrikam.com', 'contoso.widgets');
  await lead('x.one@gmail.com', 'contoso.widgets', 'Self');
  await lead('x.two@gmail.com', 'contoso.widgets', 'Self');

  expect(alerts.map((a) => a.accountLine)).toEqual([
    undefined,
    '2nd person from fabrikam.com this week',
    '2nd person from fabrikam.com this week',
    '3rd person from fabrikam.com this week',
    undefined,
    undefined,
  ]);
  // People of one account share an owner.
  expect(new Set(alerts.slice(0, 4).map((a) => a.recipient)).size).toBe(1);

  const detail = await leadDetail(store, ada, false, {
    trials: { defaultTrialDays: DEFAULT_TRIAL_DAYS, offerTrialDays: new Map() },
    now: new Date(),
  });
  expect(detail?.account).toMatchObject({ kind: 'domain', label: 'fabrikam.com', peopleCount: 3 });
  expect(detail?.account?.people.map((p) => p.offerKey).sort()).toEqual([
    'contoso.gadgets',
    'contoso.sprockets',
    'contoso.widgets',
    'contoso.widgets',
  ]);
  const freeMail = await leadDetail(store, alerts[4]?.leadId ?? '', false, {
    trials: { defaultTrialDays: DEFAULT_TRIAL_DAYS, offerTrialDays: new Map() },
    now: new Date(),
  });
  expect(freeMail?.account).toBeUndefined();

  // Rows hold hashes: no address, domain or name in clear.
  const rows: string[] = [];
  for await (const row of store.tables.accountPeople.listEntities()) rows.push(JSON.stringify(row));
  expect(rows).toHaveLength(4);
  expect(rows.join('\n')).not.toMatch(/fabrikam|ada|grace|alan/i);
});

test('a catch-up that stopped after listing a record (before its account row) is repaired by the next pass', async () => {
  const config = testConfig(azurite.connectionString, { TABLE_NAME_PREFIX: 'AccountsRepair' });
  const store = testStore(config);
  await store.ensureTables();
  const deps = recordDeps(store);
  const envelope = createEnvelope(newUlid(), new Date(), leadWith({ email: 'ada@northwind.com' }), { queryKeys: [] });
  const outcome = await recordLead(JSON.stringify(envelope), 'm', deps);
  if (outcome.kind !== 'stored') throw new Error('not stored');

  // The listing row is saved, then the account row's write times out: the pass fails with the change still noted.
  const timedOut = { ...store, putAccountPerson: () => Promise.reject(new Error('The operation timed out')) };
  await expect(catchUpListing(timedOut, new Date(), 100)).rejects.toThrow('timed out');
  expect(await store.listedRecord(outcome.leadId)).toBeDefined();
  const people = async (): Promise<number> => {
    let n = 0;
    for await (const _ of store.tables.accountPeople.listEntities()) n++;
    return n;
  };
  expect(await people()).toBe(0);

  // The next pass finds the listing up to date and does the rest: the account row, and the newest arrival.
  expect(await catchUpListing(store, new Date(), 100)).toEqual({ listed: 1, pending: 0 });
  expect(await people()).toBe(1);
  const { arrivals } = await store.readArrivals();
  expect(arrivals.lastRealLeadAt).toBe(envelope.receivedAt);
});
