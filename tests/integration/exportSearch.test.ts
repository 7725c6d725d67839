/**
 * `GET /api/leads/export.csv?q=` and `?status=` read the search index as the list does: through the host, the
 * exported file is byte for byte the one the walk of the listing writes (the index's "built" mark taken away), and
 * in-process, counted on the wire, the index-served export costs a fraction of the walk's rows, and for `q` of its
 * calls. The store is seeded directly in its own format (listing rows, their search keys, the "built" mark), as
 * statsReads.test.ts seeds it: 30 months of leads through the queue would take minutes; the index kept by the app
 * is searchIndex.test.ts's subject.
 */
import { Readable } from 'node:stream';

import type { TableEntity, TransactionAction } from '@azure/data-tables';

import type { RunningAzurite } from '../../local-host/src/azurite';
import type { AppConfig } from '../../shared/config';
import type { LeadRecord, LeadStatus } from '../../shared/record/model';
import { listingToEntity } from '../../shared/record/recordStore';
import { csvExportResponse } from '../../shared/sell/leadExport';
import { parseExportQuery } from '../../shared/sell/leadQuery';
import { searchKeys } from '../../shared/sell/search/searchKeys';
import { storePageSource } from '../../shared/sell/storePageSource';
import { rowsReturned, startCallCount, stopCallCount, totalCalls } from '../../shared/storage/callCount';
import { type HostProcess, startHost, startTestAzurite } from '../support/hostProcess';
import { testConfig } from '../support/leadFixtures';
import { type TestRecordStore, testStore } from '../support/testStore';
import { record } from '../unit/sell/records';

jest.setTimeout(180_000);

const DAY = 86_400_000;
const LEADS = 1200;
const SETTINGS = { TABLE_NAME_PREFIX: 'Export', LEADS_QUEUE_NAME: 'export-incoming' };

/** 1,200 leads over 30 months; six of them Kowalczyk, spread in time; one in ten qualified. */
function workload(now: number): LeadRecord[] {
  return Array.from({ length: LEADS }, (_, i) => {
    const status: LeadStatus = i % 10 === 3 ? 'qualified' : i % 3 === 0 ? 'contacted' : 'new';
    return record({
      at: new Date(now - DAY - Math.floor((i * 900 * DAY) / LEADS)).toISOString(),
      firstName: ['Anna', 'Jan', 'Ewa', 'Piotr'][i % 4],
      lastName: i % 200 === 17 ? 'Kowalczyk' : `Surname${String(i).padStart(4, '0')}`,
      company: `Company ${i % 37}`,
      email: `lead${i}@customer${i % 23}.example`,
      status,
    });
  });
}

async function seed(store: TestRecordStore, records: readonly LeadRecord[]): Promise<void> {
  await store.ensureTables();
  const write = async (table: TestRecordStore['tables']['listing'], entities: TableEntity[]): Promise<void> => {
    const byPartition = new Map<string, TableEntity[]>();
    for (const e of entities) byPartition.set(e.partitionKey, [...(byPartition.get(e.partitionKey) ?? []), e]);
    for (const list of byPartition.values())
      for (let i = 0; i < list.length; i += 100)
        await table.submitTransaction(list.slice(i, i + 100).map((e): TransactionAction => ['create', e]));
  };
  await write(
    store.tables.listing,
    records.map((r) => listingToEntity(r, 1)),
  );
  await write(
    store.tables.search,
    records.flatMap((r) => searchKeys(r).map((key) => ({ ...key, leadId: r.leadId, version: 1 }))),
  );
  await store.markSearchBuilt();
}

async function text(body: unknown): Promise<string> {
  if (!(body instanceof Readable)) throw new Error('the export body is not a stream');
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('the export reads the search index', () => {
  let azurite: RunningAzurite;
  let host: HostProcess;
  let config: AppConfig;
  let store: TestRecordStore;

  /** The export in-process as its handler runs it, with the index or walking, and what it asked of the store. */
  const exported = async (
    query: string,
    walk: boolean,
  ): Promise<{ csv: string; calls: number; rows: number; lines: number }> => {
    const filters = parseExportQuery(new URLSearchParams(query));
    if (!filters.ok) throw new Error(filters.problem.message);
    const now = new Date();
    startCallCount();
    try {
      const { search, ...walkOnly } = await storePageSource(store, now);
      const csv = await text(csvExportResponse(walk ? walkOnly : { ...walkOnly, search }, filters.value, now).body);
      const rows = totalCalls(rowsReturned());
      return { csv, calls: totalCalls(stopCallCount()), rows, lines: csv.split('\r\n').length - 2 };
    } finally {
      stopCallCount();
    }
  };

  /** The export through the host. */
  const downloaded = async (query: string): Promise<string> => {
    const res = await fetch(`${host.baseUrl}/api/leads/export.csv?${query}`);
    expect(res.status).toBe(200);
    return res.text();
  };

  beforeAll(async () => {
    azurite = await startTestAzurite();
    config = testConfig(azurite.connectionString, SETTINGS);
    store = testStore(config);
    await seed(store, workload(Date.now()));
    host = await startHost({ AzureWebJobsStorage: azurite.connectionString, ...SETTINGS });
  });

  afterAll(async () => {
    stopCallCount();
    await host?.stop();
    await azurite?.stop();
  });

  test.each([
    ['q=kowalc', 6],
    ['status=qualified', LEADS / 10],
    ['q=jan&status=qualified', LEADS / 20],
  ])('%s: the file is the walk’s, read from a fraction of the rows', async (query, leads) => {
    const served = await exported(query, false);
    const walked = await exported(query, true);
    expect(served.lines).toBe(leads);
    expect(served.csv).toBe(walked.csv);
    // The walk reads every listed row; the index its keys and the leads they propose.
    expect(walked.rows).toBeGreaterThanOrEqual(LEADS);
    expect(served.rows).toBeLessThan(walked.rows / 3);

    // Through the host: the same file with the index as with the walk it falls back to when the index is not built.
    const fromIndex = await downloaded(query);
    await store.tables.opsState.deleteEntity('search', 'built-v1');
    try {
      expect(await downloaded(query)).toBe(fromIndex);
    } finally {
      await store.markSearchBuilt();
    }
    expect(fromIndex.split('\r\n').length - 2).toBe(leads);
  });

  test('a q export costs a fraction of the walk’s calls: its ranges and the leads they propose, not every month', async () => {
    const served = await exported('q=kowalc', false);
    const walked = await exported('q=kowalc', true);
    expect(served.csv).toBe(walked.csv);
    // The walk: a query per month at least (31 months).
    expect(walked.calls).toBeGreaterThan(30);
    expect(served.calls * 3).toBeLessThan(walked.calls);
  });
});
