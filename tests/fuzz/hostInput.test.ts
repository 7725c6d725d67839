/**
 * Hostile input through the local host and Azurite, as a sender and a caller of the API would send it:
 * - lead bodies: never a 5xx; every 4xx names a field; every 202 ends as a record (never poison, never lost);
 * - the API's query parameters, ids and PATCH bodies: never a 5xx; every 400 names the parameter or field.
 * `npm test` tries a bounded number; `npm run fuzz -- N` tries N of each.
 */
import { QueueServiceClient } from '@azure/storage-queue';
import fc from 'fast-check';

import type { RunningAzurite } from '../../local-host/src/azurite';
import type { AppConfig } from '../../shared/config';
import { eventually, type HostProcess, startHost, startTestAzurite } from '../support/hostProcess';
import { testConfig } from '../support/leadFixtures';
import { testStore } from '../support/testStore';
import { hostileString, leadBody, leadId, pathSegment, queryString } from './arbitraries';
import { fuzzParameters, fuzzRuns, report } from './runs';

const LEAD_RUNS = 150;
const API_RUNS = 300;
jest.setTimeout(120_000 + fuzzRuns(0) * 400);

// Bodies that once got a 202 and then could not be stored: every run tries them first.
const c = (n: number): string => '\\u0001'.repeat(n);
const q = (n: number): string => '\\"'.repeat(n);
const REGRESSIONS = [
  `{"LeadSource":"${c(1024)}","ActionCode":"${c(1024)}","OfferTitle":"${c(1024)}","Description":"${c(2000)}",` +
    `"UserDetails":{"FirstName":"${q(256)}","LastName":"${q(256)}","Company":"${q(256)}","Email":"${q(240)}@x.example"}}`,
  '{"LeadSource":"AzureMarketplace\\u0000-INS|contoso\\ud800.widgets","OfferTitle":"\\udfff","UserDetails":{"FirstName":"\\ud83d"}}',
].map((text) => Buffer.from(text));

interface Problemish {
  problems?: { field?: unknown; rule?: unknown }[];
}

/**
 * A 400 or 413 from the app names what was wrong: the id, a query parameter the caller sent (a parameter with no
 * name, `?=x`, is named by its empty name), or a field of the body.
 */
function namesAField(body: Problemish, sent: readonly string[] = []): boolean {
  return (
    Array.isArray(body.problems) &&
    body.problems.length > 0 &&
    body.problems.every(
      (p) => typeof p.field === 'string' && (p.field !== '' || sent.includes('')) && typeof p.rule === 'string',
    )
  );
}

async function answer(res: Response): Promise<{ status: number; json?: Problemish }> {
  // Read the whole body: a handler that fails mid-stream cuts the connection, and that must fail the property.
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json') ? (JSON.parse(text) as Problemish) : undefined;
  return { status: res.status, json };
}

describe('hostile input through the local host', () => {
  let azurite: RunningAzurite;
  let host: HostProcess;
  let config: AppConfig;
  const accepted: { id: string; body: Buffer }[] = [];
  const leadIds: string[] = [];

  beforeAll(async () => {
    azurite = await startTestAzurite();
    config = testConfig(azurite.connectionString);
    host = await startHost({ AzureWebJobsStorage: azurite.connectionString });
  });
  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  test('lead bodies: never a 5xx, every 4xx names a field, every 202 becomes a record', async () => {
    const counts = { accepted: 0, refused: 0 };
    const contentType = fc.constantFrom<string>(
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      '',
    );
    await fc.assert(
      fc.asyncProperty(leadBody, contentType, async (body, type) => {
        const res = await fetch(`${host.baseUrl}/api/leads`, {
          method: 'POST',
          body,
          headers: type === '' ? {} : { 'content-type': type },
        });
        const { status, json } = await answer(res);
        if (status === 202) {
          counts.accepted++;
          // A copy of the start only, for the report: N bodies of up to 32 KiB would add up.
          accepted.push({ id: (json as { id: string }).id, body: Buffer.from(body.subarray(0, 300)) });
          return;
        }
        counts.refused++;
        expect({
          refusedWith4xx: status === 400 || status === 413,
          namesAField: json !== undefined && namesAField(json),
        }).toEqual({ refusedWith4xx: true, namesAField: true });
      }),
      fuzzParameters(LEAD_RUNS, { examples: REGRESSIONS.map((body): [Buffer, string] => [body, 'application/json']) }),
    );
    report('lead bodies through POST /api/leads', counts);

    // Every 202 is an event in some record's history, and that record answers.
    const store = testStore(config);
    const leadOf = new Map<string, string>();
    await eventually(
      `${accepted.length} accepted leads to be processed`,
      async () => {
        for await (const row of store.tables.events.listEntities())
          if (row.rowKey && row.partitionKey) leadOf.set(row.rowKey, row.partitionKey);
        return accepted.every((a) => leadOf.has(a.id)) ? true : undefined;
      },
      60_000 + accepted.length * 200,
    ).catch((e: unknown) => {
      const lost = accepted.filter((a) => !leadOf.has(a.id)).map((a) => a.body.toString('utf8'));
      throw new Error(`${String(e)}; not processed: ${JSON.stringify(lost)}`);
    });
    for (const id of new Set(accepted.map((a) => leadOf.get(a.id)!))) {
      const res = await fetch(`${host.baseUrl}/api/leads/${id}?raw=true`);
      expect({ id, status: res.status }).toEqual({ id, status: 200 });
      leadIds.push(id);
    }
    const poison = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(
      config.poisonQueueName,
    );
    expect((await poison.exists()) ? (await poison.peekMessages()).peekedMessageItems : []).toEqual([]);
    // keepPoisonedLead empties the poison queue into PoisonedLeads: nothing may have got there either.
    for await (const row of store.tables.poisoned.listEntities()) throw new Error(`poisoned: ${String(row.rowKey)}`);
    for await (const row of store.tables.rejected.listEntities()) throw new Error(`rejected: ${String(row.reason)}`);
  });

  test('the API: query parameters, ids and status changes never give a 5xx; every 400 names what was wrong', async () => {
    const counts: Record<string, number> = {};
    const id = fc.oneof({ weight: 3, arbitrary: leadId }, fc.constantFrom(...leadIds, '01ARZ3NDEKTSV4RRFFQ69G5FAV'));
    const patchBody = fc.oneof(
      fc
        .record(
          {
            status: fc.oneof(fc.constantFrom('new', 'contacted', 'qualified', 'disqualified'), hostileString),
            note: fc.oneof(hostileString, fc.jsonValue()),
            by: hostileString,
            via: fc.constantFrom('api', 'dashboard', 'email'),
          },
          { requiredKeys: ['status'] },
        )
        .map((v) => JSON.stringify(v)),
      fc.json(),
      hostileString,
    );
    const request = fc.oneof(
      fc.tuple(fc.constant('GET list'), queryString).map(([kind, query]) => ({ kind, url: `leads?${query}` })),
      fc
        .tuple(fc.constant('GET export'), queryString)
        .map(([kind, query]) => ({ kind, url: `leads/export.csv?${query}` })),
      fc.tuple(fc.constant('GET stats'), queryString).map(([kind, query]) => ({ kind, url: `stats?${query}` })),
      fc.tuple(fc.constant('GET dashboard'), queryString).map(([kind, query]) => ({ kind, url: `dashboard?${query}` })),
      fc
        .tuple(fc.constant('GET lead'), id, queryString)
        .map(([kind, i, query]) => ({ kind, url: `leads/${pathSegment(i)}?${query}` })),
      fc
        .tuple(fc.constant('PATCH lead'), id, patchBody)
        .map(([kind, i, body]) => ({ kind, url: `leads/${pathSegment(i)}`, method: 'PATCH', body })),
      fc
        .tuple(fc.constant('DELETE lead'), id, queryString)
        .map(([kind, i, query]) => ({ kind, url: `leads/${pathSegment(i)}?${query}`, method: 'DELETE' })),
    );
    await fc.assert(
      fc.asyncProperty(
        request,
        async ({ kind, url, method, body }: { kind: string; url: string; method?: string; body?: string }) => {
          counts[kind] = (counts[kind] ?? 0) + 1;
          const res = await fetch(`${host.baseUrl}/api/${url}`, { method: method ?? 'GET', body });
          const { status, json } = await answer(res);
          expect({ kind, url, status: status < 500 }).toEqual({ kind, url, status: true });
          const sent = [...new URL(url, 'http://x/').searchParams.keys()];
          if (status === 400 || status === 413)
            expect({ kind, url, namesAField: json !== undefined && namesAField(json, sent) }).toEqual({
              kind,
              url,
              namesAField: true,
            });
        },
      ),
      fuzzParameters(API_RUNS),
    );
    report('API requests', counts);
    // Whatever was changed or erased, every record still reads.
    for (const lead of leadIds) expect((await fetch(`${host.baseUrl}/api/leads/${lead}`)).status).toBe(200);
  });
});
