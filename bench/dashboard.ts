/**
 * Dashboard: the time to the dashboard's first screen over a store of 1,000 records and one of 100,000: the stats,
 * the first page of the list unfiltered, with `q=` a last-name prefix that matches a few records, and with a status
 * filter; and the CSV export of that `q=`. Target: 100k/1k ≤ 1.5× per line. The shared code behind each endpoint is
 * called directly (the HTTP layer costs the same at any size); each line is the median of five calls after a warm-up.
 * Untimed lines print only the store work of one call: the `q=` export walked (as before the index served it), and
 * a status export served by the index and walked, which read thousands of leads at 100k.
 *
 * Records, listing rows, counters and the search index are written directly in the store's format (the record row
 * of each lead's partition, its listing copy, the counter shards and their copies, the search keys and the index's
 * "built" mark), batched per partition; a read-back checks the format. Events are not seeded: nothing on the first screen reads them. Records spread over two years and five
 * offers; 5 of them, spread in time, have the last name the `q=` line looks for.
 *
 * Azurite answers every query by scanning the whole table (LokiJS `.where(fn)`), Table Storage from the partition:
 * the "raw query" lines time one `PartitionKey eq` query of each store's listing table and one key-range query of
 * its search table, Azurite's own floor for the lines that query them. So each line also prints the store work
 * of one more call, counted on the wire (calls, and rows the queries returned): Table Storage serves a key-range
 * query from its index in time that follows the rows it returns, so those two figures at 1k and at 100k are how
 * the line scales there.
 */
import { Readable } from 'node:stream';

import type { TableClient, TableEntity, TransactionAction } from '@azure/data-tables';
import { odata } from '@azure/data-tables';
import { ulid } from 'ulid';

import { startAzurite } from '../local-host/src/azurite';
import { type AppConfig, loadConfig } from '../shared/config';
import { leadKeys } from '../shared/record/keys';
import type { LeadRecord, LeadStatus } from '../shared/record/model';
import {
  createRecordStore,
  listingToEntity,
  recordToEntity,
  shardToEntity,
  type StoredShard,
} from '../shared/record/recordStore';
import { count, emptyShard } from '../shared/sell/counters';
import { csvExportResponse } from '../shared/sell/leadExport';
import { parseExportQuery, parseListQuery } from '../shared/sell/leadQuery';
import { listLeads } from '../shared/sell/listLeads';
import { pipelineStats } from '../shared/sell/pipelineStats';
import { searchKeys, textRanges } from '../shared/sell/search/searchKeys';
import { storePageSource } from '../shared/sell/storePageSource';
import { rowsReturned, startCallCount, stopCallCount, totalCalls } from '../shared/storage/callCount';
import { tableClient } from '../shared/storage/clients';
import { STORAGE_DEADLINES } from '../shared/storage/deadline';
import { sampleSettings } from '../tests/support/hostProcess';
import { rawTables } from '../tests/support/testStore';
import { fmt, median, verdict } from './stats';

const SIZES = [1000, Number(process.env.BENCH_DASHBOARD_LEADS ?? 100_000)];
const OFFERS = ['ledger-cloud', 'payroll', 'crm-lite', 'backup-pro', 'data-hub'];
const SPAN_MS = 730 * 86_400_000;
const HOUR = 3_600_000;
const RUNS = 5;
const CONCURRENCY = 4;
const NEEDLE = 'Kowalczyk';
const NEEDLES = 5;
type Row = Record<string, unknown>;

// Names spread over their first two letters (the search index's partitions) about as real ones do: a hundred
// openings, none holding more than a few per cent. "Customer1", "Customer2"… would put every lead in one partition.
const OPENINGS = 'bcdfghjklmnprstvwzyq'.split('').flatMap((c) => 'aeiou'.split('').map((v) => c + v));
const SYLLABLES = ['ba', 'ber', 'ca', 'dor', 'el', 'fin', 'gar', 'hal', 'is', 'jor', 'kin', 'lu', 'mar', 'nes', 'or'];

/** A made-up name for `n`: an opening and `parts` syllables, capitalised. */
function word(n: number, parts: number): string {
  let text = OPENINGS[n % OPENINGS.length]!;
  for (let rest = Math.floor(n / OPENINGS.length), p = 0; p < parts; p++, rest = Math.floor(rest / SYLLABLES.length))
    text += SYLLABLES[rest % SYLLABLES.length];
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function statusOf(i: number, ageMs: number): LeadStatus {
  if (ageMs < 2 * 86_400_000) return i % 2 === 0 ? 'new' : 'contacted';
  const r = i % 20;
  return r < 13 ? 'contacted' : r < 16 ? 'qualified' : r < 18 ? 'disqualified' : 'new';
}

function synthesise(total: number, now: number): LeadRecord[] {
  const out: LeadRecord[] = [];
  const needleEvery = Math.floor(total / NEEDLES);
  for (let i = 0; i < total; i++) {
    const seen = now - 60_000 - Math.floor((i / total) * SPAN_MS);
    const status = statusOf(i, now - seen);
    const offer = OFFERS[i % OFFERS.length]!;
    const contacted = status === 'new' ? undefined : new Date(seen + ((i % 47) + 1) * HOUR * 0.7).toISOString();
    const firstName = word((i * 37) % 1500, 1);
    const lastName = i % needleEvery === needleEvery - 1 ? NEEDLE : word(i, 3);
    const email = `${firstName}.${lastName}.${i}@customer${i % 50}.example`.toLowerCase();
    const record: LeadRecord = {
      leadId: ulid(seen),
      offerKey: `fabrikamsoft.${offer}`,
      offerId: offer,
      publisherId: 'fabrikamsoft',
      offerTitle: offer,
      stage: i % 3 === 0 ? 'active' : i % 11 === 0 ? 'doNotContact' : 'interest',
      status,
      firstSeenAt: new Date(seen).toISOString(),
      lastSeenAt: new Date(seen).toISOString(),
      eventCount: 1,
      sources: ['AzureMarketplace'],
      lastAction: 'PLT',
      isTest: false,
      doNotContact: i % 11 === 0 && i % 3 !== 0,
      unrecognised: false,
      flags: [],
      identityKind: 'email',
      firstName,
      lastName,
      company: `${word((i * 7) % 5000, 2)} ${i % 2 === 0 ? 'GmbH' : 'Software'}`,
      email,
      emailMatch: email,
      country: 'DE',
    };
    if (contacted !== undefined) {
      record.firstContactedAt = contacted;
      record.statusChangedAt = contacted;
    }
    out.push(record);
  }
  return out;
}

async function write(table: TableClient, entities: TableEntity<Row>[]): Promise<void> {
  const byPartition = new Map<string, TableEntity<Row>[]>();
  for (const e of entities) {
    const list = byPartition.get(e.partitionKey);
    if (list) list.push(e);
    else byPartition.set(e.partitionKey, [e]);
  }
  const batches: TransactionAction[][] = [];
  for (const list of byPartition.values())
    for (let i = 0; i < list.length; i += 100)
      batches.push(list.slice(i, i + 100).map((e): TransactionAction => ['create', e]));
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < batches.length) {
        const actions = batches[next++]!;
        if (actions.length === 1) await table.createEntity(actions[0]![1]);
        else await table.submitTransaction(actions);
      }
    }),
  );
}

// Seeding keeps Azurite busy: each call gets the background deadline, not the API's.
const seedTable = (config: AppConfig, name: string): TableClient =>
  tableClient(config.storageConnection, name, STORAGE_DEADLINES.background);

async function seed(config: AppConfig, records: LeadRecord[]): Promise<void> {
  const tables = {
    events: seedTable(config, config.tables.events),
    listing: seedTable(config, config.tables.listing),
    search: seedTable(config, config.tables.search),
  };
  const shards = new Map<string, StoredShard>();
  for (const r of records) {
    const partition = leadKeys(r.leadId).partitionKey;
    const key = `${partition} ${r.offerKey}`;
    let s = shards.get(key);
    if (!s) shards.set(key, (s = { partition, offerKey: r.offerKey, shard: emptyShard(), seq: 1 }));
    count(s.shard, r, 1);
  }
  await write(
    tables.events,
    records.map((r) => recordToEntity(r, 1)),
  );
  await write(tables.listing, [
    ...records.map((r) => listingToEntity(r, 1)),
    ...[...shards.values()].map(shardToEntity),
  ]);
  await write(
    tables.search,
    records.flatMap((r) => searchKeys(r).map((key) => ({ ...key, leadId: r.leadId, version: 1 }))),
  );
  const store = createRecordStore(config);
  await store.markSearchBuilt();
  for (const s of shards.values()) await store.mirrorShard(s);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await fn();
    runs.push(performance.now() - started);
  }
  return median(runs);
}

/** What a call asks of the store: round trips, and the rows its queries return. */
interface Work {
  calls: number;
  rows: number;
}

/** The store work of one more (untimed) call: the figures Table Storage's cost follows, whatever Azurite does. */
async function counted(fn: () => Promise<unknown>): Promise<Work> {
  startCallCount();
  try {
    await fn();
  } catch (e) {
    stopCallCount();
    throw e;
  }
  // Rows are read while the count still runs: stopping it clears them.
  const rows = totalCalls(rowsReturned());
  return { calls: totalCalls(stopCallCount()), rows };
}

interface Line {
  /** Undefined for a line whose store work alone is printed (too slow to time at 100k). */
  ms?: number;
  note: string;
  work?: Work;
}

interface Measured {
  seedMs: number;
  lines: Map<string, Line>;
}

async function measure(total: number): Promise<Measured> {
  // Room for 100,000 records with their listing and search rows in Azurite's memory (a run once lost it mid-seed).
  const azurite = await startAzurite({ nodeArgs: ['--max-old-space-size=8192'] });
  try {
    const loaded = loadConfig({ ...sampleSettings(), AzureWebJobsStorage: azurite.connectionString });
    if (!loaded.ok) throw new Error(`Bench settings: ${loaded.problems.map((p) => p.message).join('; ')}`);
    const config = loaded.value;
    const store = createRecordStore(config);
    await store.ensureTables();
    const now = Date.now();
    const records = synthesise(total, now);
    const seedStarted = performance.now();
    await seed(config, records);
    const seedMs = performance.now() - seedStarted;
    const sample = records[records.length - 1]!;
    if ((await store.getRecord(sample.leadId))?.record.leadId !== sample.leadId)
      throw new Error('Seeded record does not read back: the bench format drifted from recordStore.ts');

    const lines = new Map<string, Line>();
    const page = async (query: string): Promise<string> => {
      const parsed = parseListQuery(new URLSearchParams(query));
      if (!parsed.ok) throw new Error(`bench query ${query}: ${parsed.problem.message}`);
      const when = new Date();
      const result = await listLeads(await storePageSource(store, when), parsed.value, when);
      return `${result.items.length} items, ${result.scanned} rows read${result.continuation ? ', more' : ''}`;
    };
    let note = '';
    const statsMs = await timed(async () => {
      const when = new Date();
      const stats = await pipelineStats(await storePageSource(store, when), when);
      note = `total ${stats.overall.total}`;
      if (stats.overall.total !== total) throw new Error(`stats count ${stats.overall.total}, seeded ${total}`);
      if (stats.qualification === null) throw new Error('stats: the seeded counters hold no decision counts');
    });
    lines.set('stats', {
      ms: statsMs,
      note,
      work: await counted(async () => {
        const when = new Date();
        await pipelineStats(await storePageSource(store, when), when);
      }),
    });
    for (const [name, query] of [
      ['first page', ''],
      [`q=${NEEDLE.slice(0, 5).toLowerCase()}`, `q=${NEEDLE.slice(0, 5).toLowerCase()}`],
      ['status=qualified', 'status=qualified'],
    ] as const) {
      const ms = await timed(async () => (note = await page(query)));
      lines.set(name, { ms, note, work: await counted(() => page(query)) });
    }
    // The export, as its handler runs it: served by the index, and (work only) walked as before the index served it.
    const exported = async (query: string, walked = false): Promise<string> => {
      const parsed = parseExportQuery(new URLSearchParams(query));
      if (!parsed.ok) throw new Error(`bench export ${query}: ${parsed.problem.message}`);
      const when = new Date();
      const { search, ...walkOnly } = await storePageSource(store, when);
      const body = csvExportResponse(walked ? walkOnly : { ...walkOnly, search }, parsed.value, when).body;
      if (!(body instanceof Readable)) throw new Error('the export body is not a stream');
      let lines = 0;
      for await (const chunk of body) for (const byte of chunk as Buffer) if (byte === 0x0a) lines++;
      return `${lines - 1} leads`;
    };
    const q = `q=${NEEDLE.slice(0, 5).toLowerCase()}`;
    lines.set(`export ${q}`, {
      ms: await timed(async () => (note = await exported(q))),
      note,
      work: await counted(() => exported(q)),
    });
    for (const [name, query] of [
      [`export ${q}, walked`, q],
      ['export status=qualified', 'status=qualified'],
      ['export status=qualified, walked', 'status=qualified'],
    ] as const) {
      const walked = name.endsWith('walked');
      const work = await counted(async () => (note = await exported(query, walked)));
      lines.set(name, { note, work });
    }
    const partition = leadKeys(records[0]!.leadId).partitionKey;
    const raw = rawTables(config).listing;
    lines.set('raw query (Azurite floor)', {
      ms: await timed(async () => {
        const pages = raw
          .listEntities({ queryOptions: { filter: odata`PartitionKey eq ${partition}` } })
          .byPage({ maxPageSize: 51 });
        await pages.next();
      }),
      note: 'one PartitionKey eq page of 51 from the listing table',
    });
    // The name range the q= line reads, queried alone.
    const needle = textRanges(NEEDLE.slice(0, 5).toLowerCase()).at(-1)!;
    const rawSearch = rawTables(config).search;
    lines.set('raw search query (floor)', {
      ms: await timed(async () => {
        if (!('equal' in needle.partition) || !('from' in needle.rows)) throw new Error('the needle range drifted');
        const { partition, rows } = { partition: needle.partition.equal, rows: needle.rows };
        const filter = odata`PartitionKey eq ${partition} and RowKey ge ${rows.from} and RowKey lt ${rows.below}`;
        await rawSearch.listEntities({ queryOptions: { filter } }).byPage({ maxPageSize: 1000 }).next();
      }),
      note: 'one key-range query of the search table',
    });
    return { seedMs, lines };
  } finally {
    await azurite.stop();
  }
}

const workText = (work: Work | undefined): string =>
  work === undefined ? '' : `; store: ${work.calls} calls, ${work.rows} rows returned`;

export async function main(): Promise<void> {
  const results: Measured[] = [];
  for (const total of SIZES) {
    const m = await measure(total);
    results.push(m);
    console.log(`  ${String(total).padStart(7)} records: seeded in ${fmt(m.seedMs / 1000)} s`);
    for (const [name, line] of m.lines) {
      const ms = line.ms === undefined ? 'untimed'.padStart(11) : `${fmt(line.ms).padStart(8)} ms`;
      console.log(`    ${name.padEnd(32)} ${ms}  (${line.note}${workText(line.work)})`);
    }
  }
  const [small, large] = results as [Measured, Measured];
  console.log(`  ${SIZES[1]}/${SIZES[0]}: time on Azurite; the store work Table Storage's time follows`);
  for (const [name, line] of large.lines) {
    const before = small.lines.get(name)!;
    const ratio = line.ms !== undefined && before.ms !== undefined ? line.ms / before.ms : undefined;
    const target = name.startsWith('raw') || ratio === undefined ? '' : ` (target ≤ 1.50: ${verdict(ratio <= 1.5)})`;
    const work =
      line.work && before.work
        ? `; calls ${before.work.calls} → ${line.work.calls}, rows ${before.work.rows} → ${line.work.rows}`
        : '';
    const time = ratio === undefined ? 'untimed' : `${fmt(ratio, 2)}×`;
    console.log(`  ${name.padEnd(32)} ${time}${target}${work}`);
  }
}
