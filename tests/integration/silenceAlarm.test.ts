/**
 * The silence alarm with a fixed clock against real parts: lead records and the alarm's state row in Azurite, the
 * newest arrivals read through the record store's listing, the notes through the app's mailer to the loopback SMTP
 * server. One alarm per silence, one note when leads come back.
 */
import { ulid } from 'ulid';

import type { RunningAzurite } from '../../local-host/src/azurite';
import type { Mailer } from '../../shared/mail/mailer';
import { tableSilenceState } from '../../shared/ops/opsState';
import { lastArrivals, newestArrivals } from '../../shared/ops/recentArrivals';
import { runSilenceCheck, type SilenceRunDeps } from '../../shared/ops/silenceRun';
import { projectLead } from '../../shared/record/projection';
import { catchUpListing } from '../../shared/sell/listing';
import { tableClient } from '../../shared/storage/clients';
import { arrival } from '../support/events';
import { startTestAzurite } from '../support/hostProcess';
import { testConfig } from '../support/leadFixtures';
import { SmtpSink } from '../support/smtpSink';
import { type TestRecordStore, testStore } from '../support/testStore';

const DAY = 86_400_000;
const T0 = Date.parse('2024-05-03T12:00:00Z');
const OPS = 'ops@contoso.example';

let azurite: RunningAzurite;
let smtp: SmtpSink;
let mailer: Mailer;
let prefix = 0;

beforeAll(async () => {
  [azurite, smtp] = await Promise.all([startTestAzurite(), SmtpSink.start()]);
  mailer = smtp.mailer();
});

afterAll(async () => {
  mailer?.close();
  await Promise.all([smtp?.stop(), azurite?.stop()]);
});

/** A record created at `at` (its id says so) whose one lead arrived then. */
async function lead(store: TestRecordStore, at: number, isTest = false): Promise<void> {
  const leadId = ulid(at);
  const event = arrival(leadId, new Date(at).toISOString(), { isTest, email: `${leadId.toLowerCase()}@x.example` });
  await store.appendEvent(leadId, event);
  const record = projectLead({ leadId, offerKey: 'contoso.widgets', identityKind: 'email' }, [event]);
  if (record === undefined) throw new Error('no record');
  await store.noteChange(leadId, 1);
  await store.saveRecord(record, undefined);
  // As every list read and reminder run does: the listing (and the newest-arrivals row) catch up.
  await catchUpListing(store, new Date(), 100);
}

async function setUp(
  days = 14,
): Promise<{ store: TestRecordStore; deps: SilenceRunDeps; setNow: (ms: number) => void }> {
  smtp.reset();
  const config = testConfig(azurite.connectionString, { TABLE_NAME_PREFIX: `silence${++prefix}` });
  const store = testStore(config);
  await store.ensureTables();
  let now = T0;
  const clock = (): Date => new Date(now);
  const deps: SilenceRunDeps = {
    lastArrivals: () => lastArrivals(store, clock(), { want: 'real', maxRecords: 1000 }),
    state: tableSilenceState(tableClient(config.storageConnection, config.tables.opsState)),
    mailer,
    recipients: [OPS],
    days,
    clock,
  };
  return { store, deps, setNow: (ms) => (now = ms) };
}

test('no real lead for 14 days: one alarm, whatever the checks after it; one note when leads come back', async () => {
  const { store, deps, setNow } = await setUp();
  await lead(store, T0 - 40 * DAY);
  await lead(store, T0);
  // A test lead (Partner Center's Validate) never ends a silence.
  await lead(store, T0 + 5 * DAY, true);

  setNow(T0 + 14 * DAY - 60_000);
  expect(await runSilenceCheck(deps)).toEqual({ action: 'none' });
  setNow(T0 + 14 * DAY);
  expect(await runSilenceCheck(deps)).toEqual({ action: 'alarm', recipients: 1, stateSaved: true });
  for (const hours of [1, 2, 48]) {
    setNow(T0 + 14 * DAY + hours * 3_600_000);
    expect(await runSilenceCheck(deps)).toEqual({ action: 'none' });
  }
  expect(smtp.to(OPS)).toHaveLength(1);
  expect(smtp.received[0]?.subject).toBe('No marketplace leads for 14 d (last one 2024-05-03 12:00 UTC)');

  await lead(store, T0 + 17 * DAY);
  setNow(T0 + 17 * DAY + 3_600_000);
  expect(await runSilenceCheck(deps)).toEqual({ action: 'back', recipients: 1, stateSaved: true });
  setNow(T0 + 17 * DAY + 7_200_000);
  expect(await runSilenceCheck(deps)).toEqual({ action: 'none' });
  expect(smtp.to(OPS)).toHaveLength(2);
  expect(smtp.received[1]?.subject).toMatch(/^Marketplace leads are arriving again/);
  // The notes name times, never a customer.
  expect(smtp.received.map((m) => m.text).join('\n')).not.toContain('@x.example');
});

test('a mail server that refuses leaves the alarm due: the next check sends it', async () => {
  const { store, deps, setNow } = await setUp();
  await lead(store, T0);
  setNow(T0 + 15 * DAY);
  smtp.refuseAll = true;
  await expect(runSilenceCheck(deps)).rejects.toThrow();
  smtp.refuseAll = false;
  expect(await runSilenceCheck(deps)).toMatchObject({ action: 'alarm' });
  expect(smtp.to(OPS)).toHaveLength(1);
});

test('no alarm on a new installation, nor with SILENCE_ALERT_DAYS=0', async () => {
  const fresh = await setUp();
  fresh.setNow(T0 + 100 * DAY);
  expect(await runSilenceCheck(fresh.deps)).toEqual({ action: 'none' });
  const off = await setUp(0);
  await lead(off.store, T0);
  off.setNow(T0 + 100 * DAY);
  expect(await runSilenceCheck(off.deps)).toEqual({ action: 'none' });
  expect(smtp.received).toHaveLength(0);
});

test('the newest arrivals come from the newest records, across months, stopping at the first real lead', async () => {
  const { store } = await setUp();
  await lead(store, T0 - 70 * DAY);
  await lead(store, T0 - 40 * DAY, true);
  await lead(store, T0 - 2 * DAY, true);
  expect(await newestArrivals(store, new Date(T0), { want: 'real', maxRecords: 1000 })).toEqual({
    lastRealLeadAt: new Date(T0 - 70 * DAY).toISOString(),
    lastTestLeadAt: new Date(T0 - 2 * DAY).toISOString(),
  });
  expect(await newestArrivals(store, new Date(T0), { want: 'real', maxRecords: 2 })).toEqual({
    lastTestLeadAt: new Date(T0 - 2 * DAY).toISOString(),
  });
});
