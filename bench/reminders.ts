/**
 * Reminders: a reminder run over a store of 1,000 leads and over one of 100,000, with the same 100 leads due in
 * both (outbox transport, in-memory Azurite on free ports). Target: large/small time ratio ≤ 1.5, i.e. the run's
 * cost follows the due leads, not the table size. Single runs are noisy on a shared machine, so each size gets
 * five runs, two hours apart on the run's clock, each finding its own 100 due leads; the median is compared.
 *
 * Both stores look like a live installation: most leads are old and were contacted (no follow-up entries), a
 * fixed 50 arrived in the last hours (entries not yet due), and 3 × 100 are about 25 h old and still new.
 * Leads and FollowUps are written directly in the store's format, batched per partition; a read-back through the
 * store checks the format before timing.
 *
 * Azurite is not Table Storage: it answers a filtered query (listEvents' `PartitionKey eq <lead>`) by scanning
 * every entity of the table (LokiJS `.where(fn)` in LokiTableMetadataStore.queryTableEntities), and a point read
 * by scanning the entity's partition. So by default LeadEvents holds the history of the leads a run can read
 * (due and fresh), and the benchmark also prints the store calls, which are what the design controls.
 *   BENCH_REMINDER_HISTORY=all   also seeds every old lead's history (≈ 2 events each; 100k take minutes)
 *   BENCH_REMINDER_LEADS=20000   changes the large size
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import type { TableClient, TableEntity, TransactionAction } from '@azure/data-tables';
import { ulid } from 'ulid';

import { startAzurite } from '../local-host/src/azurite';
import { type AppConfig, loadConfig } from '../shared/config';
import { type ReminderRunSummary, runReminders } from '../shared/followUp/runReminders';
import { newUlid } from '../shared/ids';
import { createMailer } from '../shared/mail/createMailer';
import type { FollowUpKind } from '../shared/record/keys';
import type { LeadArrivalEvent, LeadEvent, LeadRecord } from '../shared/record/model';
import { projectLead } from '../shared/record/projection';
import {
  createRecordStore,
  eventToEntity,
  followUpToEntity,
  listingToEntity,
  type RecordStore,
  recordToEntity,
} from '../shared/record/recordStore';
import { sampleSettings } from '../tests/support/hostProcess';
import { type RawTables, rawTables } from '../tests/support/testStore';
import { fmt, verdict } from './stats';

const SMALL = 1000;
const LARGE = Number(process.env.BENCH_REMINDER_LEADS ?? 100_000);
const DUE = 100;
const ROUNDS = 5;
const ROUND_GAP_MS = 2 * 3600_000;
const FRESH = 50;
const OFFERS = ['ledger-cloud', 'payroll', 'crm-lite', 'backup-pro', 'data-hub'];
const CONCURRENCY = 32;
const HISTORY: 'all' | 'due' = process.env.BENCH_REMINDER_HISTORY === 'all' ? 'all' : 'due';
const HOUR = 3600_000;
const DAY = 24 * HOUR;

type Row = Record<string, unknown>;

interface Seeded {
  record: LeadRecord;
  events: LeadEvent[];
  followUps: { kind: FollowUpKind; dueAt: string }[];
}

// Entities are written with the store's own mappers; verifyFormat() reads one back through the store.
const leadEntity = recordToEntity;
const listingEntity = listingToEntity;
const eventEntity = eventToEntity;
const followUpEntity = (kind: FollowUpKind, leadId: string, dueAt: string): TableEntity<Row> =>
  followUpToEntity({ kind, leadId, dueAt, sentTo: [] });

// --- Synthetic leads. ---

function seededLead(i: number, firstSeen: Date, contactedAt: Date | undefined, policy: AppConfig): Seeded {
  const leadId = ulid(firstSeen.getTime());
  const offer = OFFERS[i % OFFERS.length] ?? 'ledger-cloud';
  const arrival: LeadArrivalEvent = {
    kind: 'arrival',
    eventId: leadId,
    at: firstSeen.toISOString(),
    source: 'AzureMarketplace',
    sourceRaw: 'AzureMarketplace',
    action: i % 3 === 0 ? 'INS' : 'PLT',
    actionRaw: i % 3 === 0 ? 'INS' : 'PLT',
    stage: i % 3 === 0 ? 'active' : 'interest',
    offerId: offer,
    publisherId: 'fabrikamsoft',
    offerTitle: offer,
    firstName: `Bench${i}`,
    lastName: 'Customer',
    company: `Company ${i}`,
    title: 'CTO',
    email: `bench${i}@customer.example`,
    emailMatch: `bench${i}@customer.example`,
    phone: '+49 30 1234567',
    phoneE164: '+49301234567',
    country: 'DE',
    isTest: false,
    unrecognised: false,
    flags: [],
    rawBody: JSON.stringify({
      UserDetails: { FirstName: `Bench${i}` },
      LeadSource: `AzureMarketplace-PLT|fabrikamsoft.${offer}`,
    }),
  };
  const events: LeadEvent[] = [arrival];
  if (contactedAt)
    events.push({
      kind: 'status',
      eventId: ulid(contactedAt.getTime()),
      at: contactedAt.toISOString(),
      status: 'contacted',
      via: 'api',
    });
  const record = projectLead({ leadId, offerKey: `fabrikamsoft.${offer}`, identityKind: 'email' }, events);
  if (!record) throw new Error('projection of a seeded lead failed');
  const followUps =
    record.status === 'new'
      ? [
          { kind: 'remind' as const, dueAt: new Date(firstSeen.getTime() + policy.followUpHours * HOUR).toISOString() },
          {
            kind: 'escalate' as const,
            dueAt: new Date(firstSeen.getTime() + policy.escalateAfterHours * HOUR).toISOString(),
          },
        ]
      : [];
  return { record, events, followUps };
}

/** Round r's 100 leads fall due one hour before `now + r × 2 h`, the clock of the r-th run, and not before. */
function synthesise(total: number, now: Date, policy: AppConfig, rounds = ROUNDS): { leads: Seeded[]; due: Seeded[] } {
  const leads: Seeded[] = [];
  const due: Seeded[] = [];
  for (let i = 0; i < DUE * rounds; i++) {
    const round = Math.floor(i / DUE);
    const lead = seededLead(
      i,
      new Date(now.getTime() + round * ROUND_GAP_MS - 25 * HOUR - (i % DUE) * 1000),
      undefined,
      policy,
    );
    leads.push(lead);
    due.push(lead);
  }
  const n = DUE * rounds;
  // Fresh leads fall due 9-23 h from now: after every timed run.
  for (let i = 0; i < FRESH; i++)
    leads.push(seededLead(n + i, new Date(now.getTime() - (1 + (i % 15)) * HOUR), undefined, policy));
  // The rest: spread over the last year, contacted within hours, as a working sales team leaves them.
  const old = total - n - FRESH;
  for (let i = 0; i < old; i++) {
    const firstSeen = new Date(now.getTime() - 3 * DAY - Math.floor((i / old) * 362 * DAY));
    leads.push(seededLead(n + FRESH + i, firstSeen, new Date(firstSeen.getTime() + 4 * HOUR), policy));
  }
  return { leads, due };
}

// --- Writing: one transaction per ≤ 100 entities of one partition, CONCURRENCY transactions in flight. ---

async function pool<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

function batches(entities: TableEntity<Row>[]): TransactionAction[][] {
  const byPartition = new Map<string, TableEntity<Row>[]>();
  for (const e of entities) {
    const list = byPartition.get(e.partitionKey) ?? [];
    list.push(e);
    byPartition.set(e.partitionKey, list);
  }
  const out: TransactionAction[][] = [];
  for (const list of byPartition.values()) {
    for (let i = 0; i < list.length; i += 100)
      out.push(list.slice(i, i + 100).map((e): TransactionAction => ['create', e]));
  }
  return out;
}

async function write(table: TableClient, entities: TableEntity<Row>[]): Promise<void> {
  await pool(batches(entities), async (actions) => {
    // A one-entity "batch" is a plain insert: cheaper than a multipart transaction.
    if (actions.length === 1 && actions[0]) await table.createEntity(actions[0][1]);
    else await table.submitTransaction(actions);
  });
}

async function seed(tables: RawTables, leads: Seeded[]): Promise<void> {
  await write(
    tables.listing,
    leads.map((l) => listingEntity(l.record, 1)),
  );
  const withHistory = new Set(HISTORY === 'all' ? leads : leads.filter((l) => l.record.status === 'new'));
  // A lead's partition of LeadEvents holds its record and its events.
  await write(
    tables.events,
    leads.flatMap((l) => [
      leadEntity(l.record, 1),
      ...(withHistory.has(l) ? l.events.map((e) => eventEntity(l.record.leadId, e)) : []),
    ]),
  );
  await write(
    tables.followUps,
    leads.flatMap((l) => l.followUps.map((f) => followUpEntity(f.kind, l.record.leadId, f.dueAt))),
  );
}

/** The seeded entities read back through the store exactly as written: the timed run sees real data. */
async function verifyFormat(store: RecordStore, sample: Seeded, withHistory: boolean): Promise<void> {
  const stored = await store.getRecord(sample.record.leadId);
  const strip = (r: LeadRecord | undefined): Row =>
    Object.fromEntries(Object.entries(r ?? {}).filter(([, v]) => v !== undefined));
  if (!isDeepStrictEqual(strip(stored?.record), strip(sample.record)))
    throw new Error('Seeded lead does not read back as written: the bench format drifted from leadStore.ts');
  if (!withHistory) return;
  const events = await store.listEvents(sample.record.leadId);
  if (!isDeepStrictEqual(events, sample.events))
    throw new Error('Seeded events do not read back as written: the bench format drifted from leadStore.ts');
}

/** Times every store call the run makes (including the rebuilds it triggers), to show where time goes. */
function instrument(store: RecordStore): { store: RecordStore; stats: Map<string, { calls: number; ms: number }> } {
  const stats = new Map<string, { calls: number; ms: number }>();
  const proxied = new Proxy(store, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function' || name === 'dueFollowUps') return value;
      const method = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        const started = performance.now();
        const result = method.apply(target, args);
        const record = (): void => {
          const s = stats.get(String(name)) ?? { calls: 0, ms: 0 };
          s.calls++;
          s.ms += performance.now() - started;
          stats.set(String(name), s);
        };
        if (result instanceof Promise) return result.finally(record);
        record();
        return result;
      };
    },
  });
  return { store: proxied, stats };
}

interface TimedRun {
  ms: number;
  summary: ReminderRunSummary;
  stats: Map<string, { calls: number; ms: number }>;
}

interface Measured {
  total: number;
  seedMs: number;
  runs: TimedRun[];
  /** The median run. */
  median: TimedRun;
  outboxFiles: number;
}

async function measure(total: number): Promise<Measured> {
  const azurite = await startAzurite();
  const outbox = fs.mkdtempSync(path.join(os.tmpdir(), 'reminders-bench-'));
  try {
    const settings = (prefix: string): AppConfig => {
      const config = loadConfig({
        ...sampleSettings(),
        AzureWebJobsStorage: azurite.connectionString,
        TABLE_NAME_PREFIX: prefix,
        MAIL_TRANSPORT: 'outbox',
        OUTBOX_DIR: outbox,
        REMINDER_ROUTES: JSON.stringify(
          Object.fromEntries(OFFERS.map((o) => [`fabrikamsoft.${o}`, `${o}-sales@contoso.example`])),
        ),
      });
      if (!config.ok) throw new Error(`Bench settings: ${config.problems.map((p) => p.message).join('; ')}`);
      return config.value;
    };
    const now = new Date();
    const run = async (config: AppConfig, round: number): Promise<TimedRun> => {
      const { store, stats } = instrument(createRecordStore(config));
      const mailer = createMailer(config.mail);
      const quiet = {
        info: () => undefined,
        warn: () => undefined,
        error: (m: string) => console.error(`  run error: ${m}`),
      };
      const started = performance.now();
      const clock = (): Date => new Date(Date.now() + round * ROUND_GAP_MS);
      const summary = await runReminders(
        { store, locks: rawTables(config).locks, mailer, clock, newId: newUlid, config, log: quiet },
        { isPastDue: false },
      );
      const ms = performance.now() - started;
      mailer.close();
      return { ms, summary, stats };
    };

    // Warm-up on separate tables in the same Azurite, so neither size pays for JIT or first connections.
    const warm = settings('Warm');
    const warmStore = createRecordStore(warm);
    await warmStore.ensureTables();
    await seed(rawTables(warm), synthesise(DUE + FRESH, now, warm, 1).leads);
    await run(warm, 0);

    const config = settings('');
    const store = createRecordStore(config);
    await store.ensureTables();
    const { leads, due } = synthesise(total, now, config);
    const seedStarted = performance.now();
    await seed(rawTables(config), leads);
    const seedMs = performance.now() - seedStarted;
    await verifyFormat(store, due[0]!, true);
    await verifyFormat(store, leads[leads.length - 1]!, HISTORY === 'all');

    const filesBefore = fs.readdirSync(outbox).length;
    const runs: TimedRun[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const timed = await run(config, round);
      const { summary } = timed;
      if (summary.due !== DUE || summary.completed !== DUE || summary.failed !== 0) {
        throw new Error(
          `Run ${round + 1} did not find and complete exactly ${DUE} due leads: ${JSON.stringify({ ...summary, digests: summary.digests.length })}`,
        );
      }
      runs.push(timed);
    }
    const median = [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(ROUNDS / 2)]!;
    return { total, seedMs, runs, median, outboxFiles: (fs.readdirSync(outbox).length - filesBefore) / ROUNDS };
  } finally {
    fs.rmSync(outbox, { recursive: true, force: true });
    await azurite.stop();
  }
}

const sumCalls = (m: Measured): number => [...m.median.stats.values()].reduce((n, s) => n + s.calls, 0);

export async function main(): Promise<void> {
  console.log(
    `  ${ROUNDS} runs per size, ${DUE} due leads each; LeadEvents holds ${HISTORY === 'all' ? "every lead's history" : 'the history of due and fresh leads (BENCH_REMINDER_HISTORY=all for every lead)'}`,
  );
  const results: Measured[] = [];
  for (const total of [SMALL, LARGE]) {
    const m = await measure(total);
    results.push(m);
    console.log(
      `  ${String(total).padStart(7)} stored leads: seeded in ${fmt(m.seedMs / 1000)} s; runs ${m.runs.map((r) => fmt(r.ms, 0)).join(' / ')} ms, ` +
        `median ${fmt(m.median.ms)} ms (each: ${m.median.summary.due} due, ${m.median.summary.completed} reminded, ${m.median.summary.sent} digests, ${m.outboxFiles} .eml files)`,
    );
    const ops = [...m.median.stats.entries()].sort((a, b) => b[1].ms - a[1].ms);
    console.log(
      `           store calls: ${ops.map(([name, s]) => `${name} ${s.calls}× ${fmt(s.ms / s.calls, 2)} ms`).join(', ')}`,
    );
  }
  const [small, large] = results as [Measured, Measured];
  const ratio = large.median.ms / small.median.ms;
  console.log(
    `  run time ratio ${large.total}/${small.total}: ${fmt(ratio, 2)}× (target ≤ 1.50: ${verdict(ratio <= 1.5)})`,
  );
  console.log(
    `  store calls: ${sumCalls(small)} vs ${sumCalls(large)} (ratio ${fmt(sumCalls(large) / sumCalls(small), 2)}×): the run's work follows the due leads`,
  );
  const perCall = (m: Measured): number => m.median.ms / sumCalls(m);
  console.log(
    `  mean time per store call: ${fmt(perCall(small), 2)} ms vs ${fmt(perCall(large), 2)} ms (any growth is Azurite scanning the table or ` +
      'partition, which Table Storage does not do for point reads and partition queries)',
  );
}
