/**
 * The reminder run against real storage and real SMTP with a fixed clock: the real RecordStore and Locks table in
 * Azurite, the real mailer talking to an SMTP server on loopback. Routing, once-only delivery under mail and
 * storage failures, the lease, escalation and the catch-up after downtime. One Azurite and one SMTP server for the
 * file; each test gets its own table prefix. Where a test observes or injects something (store reads, a failed
 * write, an action while a mail is on the wire), it wraps the real store or mailer; the data still goes to Azurite
 * and the mail still goes over SMTP.
 */
import type { RunningAzurite } from '../../local-host/src/azurite';
import { verifyContactToken } from '../../shared/followUp/contactToken';
import { LEASE_PARTITION, type LockRow } from '../../shared/followUp/runLease';
import {
  LEASE_NAME,
  type ReminderDeps,
  type ReminderRunSummary,
  type ReminderSettings,
  runReminders,
} from '../../shared/followUp/runReminders';
import { newUlid } from '../../shared/ids';
import type { Mailer } from '../../shared/mail/mailer';
import type { Stage } from '../../shared/marketplace/stage';
import type { LeadArrivalEvent, LeadEvent, LeadRecord } from '../../shared/record/model';
import { patchLead } from '../../shared/record/patchLead';
import { projectLead } from '../../shared/record/projection';
import { rebuildLead } from '../../shared/record/rebuild';
import { type FollowUpEntry } from '../../shared/record/recordStore';
import { arrival } from '../support/events';
import { startTestAzurite } from '../support/hostProcess';
import { followUpsOf, testConfig } from '../support/leadFixtures';
import { type ReceivedMail, SmtpSink } from '../support/smtpSink';
import { type TestRecordStore, testStore } from '../support/testStore';

const HOUR = 3600_000;
const T0 = new Date('2024-05-01T08:30:00Z');
const hoursAfterT0 = (h: number): Date => new Date(T0.getTime() + h * HOUR);

const SECRET = 'unit-test-contact-link-secret-0123456789';
const FROM = 'Marketplace leads <leads@contoso.example>';
const ALICE = 'alice@sales.example';
const BOB = 'bob@sales.example';
const CAROL = 'carol@sales.example';
const TEAM = 'team@sales.example';
const BOSS = 'boss@sales.example';

function settings(overrides: Partial<ReminderSettings> = {}): ReminderSettings {
  return {
    followUpHours: 24,
    escalateAfterHours: 48,
    reminderRoutes: new Map([
      ['contoso.offer-a', [ALICE]],
      ['offer b', [BOB]],
      ['shared-offer', [ALICE, CAROL]],
    ]),
    defaultRecipients: [TEAM],
    escalationEmail: BOSS,
    contactLink: { secret: SECRET, ttlDays: 14 },
    publicBaseUrl: 'https://leads.contoso.example',
    ...overrides,
  };
}

let azurite: RunningAzurite;
let smtp: SmtpSink;
let smtpDown = false;
let realMailer: Mailer;
let prefixCounter = 0;

beforeAll(async () => {
  [azurite, smtp] = await Promise.all([startTestAzurite(), SmtpSink.start()]);
  realMailer = smtp.mailer(FROM);
});

afterEach(async () => {
  // A test that failed while the mail server was down must not take it down for the next test.
  if (smtpDown) await setMailServerDown(false);
});

afterAll(async () => {
  realMailer?.close();
  await Promise.all([smtp?.stop(), azurite?.stop()]);
});

/** Stops the SMTP server (the mailer then gets "connection refused") or starts it again on the same port. */
async function setMailServerDown(down: boolean): Promise<void> {
  if (down === smtpDown) return;
  if (down) await smtp.stop();
  else await smtp.listen();
  smtpDown = down;
}

/**
 * The real store, decorated: counts the reads a run makes and can fail the next writes of a delivery, as a
 * storage outage right after a send would. Every call still goes to Azurite.
 */
interface TestStore extends TestRecordStore {
  readonly calls: { getRecord: number; listEvents: number };
  /** Makes the next markFollowUpSent calls throw, before they reach the table. */
  failMarks: number;
  /** Runs once, just before the next deleteFollowUp reaches the table: another writer acting in that gap. */
  beforeNextDelete?: () => Promise<void>;
  /** The follow-up entries of one lead, as stored in the FollowUps table. */
  followUpsOf(leadId: string): Promise<FollowUpEntry[]>;
}

function decorate(real: TestRecordStore): TestStore {
  const store: TestStore = {
    // createRecordStore's methods close over their table clients (no `this`), so copying them keeps them working.
    ...real,
    calls: { getRecord: 0, listEvents: 0 },
    failMarks: 0,
    getRecord(leadId) {
      store.calls.getRecord++;
      return real.getRecord(leadId);
    },
    listEvents(leadId) {
      store.calls.listEvents++;
      return real.listEvents(leadId);
    },
    async markFollowUpSent(entry, recipients) {
      if (store.failMarks > 0) {
        store.failMarks--;
        throw Object.assign(new Error('storage unavailable'), { statusCode: 503 });
      }
      return real.markFollowUpSent(entry, recipients);
    },
    async deleteFollowUp(kind, leadId, dueAt, etag) {
      const before = store.beforeNextDelete;
      store.beforeNextDelete = undefined;
      if (before) await before();
      return real.deleteFollowUp(kind, leadId, dueAt, etag);
    },
    followUpsOf: (leadId) => followUpsOf(real, leadId),
  };
  return store;
}

interface LeadSpec {
  firstSeen: Date;
  offer?: { publisherId?: string; offerId?: string; title?: string };
  stage?: Exclude<Stage, 'doNotContact'>;
  doNotContact?: boolean;
  isTest?: boolean;
  firstName?: string;
  email?: string;
}

class World {
  readonly logs: string[] = [];
  now = T0;
  config = settings();
  readonly smtp = smtp;
  /** Runs while a mail is on the wire (concurrently with the SMTP transaction): lets a test act mid-send. */
  duringSend?: () => Promise<void>;
  readonly mailer: Mailer = {
    send: async (message) => {
      const during = this.duringSend;
      if (during === undefined) return realMailer.send(message);
      const [result] = await Promise.all([realMailer.send(message), during()]);
      return result;
    },
    close: () => undefined,
  };

  private constructor(
    private readonly real: TestRecordStore,
    readonly store: TestStore,
  ) {}

  /** A fresh set of tables (own prefix) in the file's Azurite, and an empty SMTP server. */
  static async create(): Promise<World> {
    const real = testStore(testConfig(azurite.connectionString, { TABLE_NAME_PREFIX: `T${++prefixCounter}` }));
    await real.ensureTables();
    smtp.reset();
    return new World(real, decorate(real));
  }

  deps(): ReminderDeps {
    return {
      store: this.store,
      locks: this.store.tables.locks,
      mailer: this.mailer,
      clock: () => this.now,
      newId: newUlid,
      config: this.config,
      log: {
        info: (m: string) => this.logs.push(`info ${m}`),
        warn: (m: string) => this.logs.push(`warn ${m}`),
        error: (m: string) => this.logs.push(`error ${m}`),
      },
    };
  }

  run(isPastDue = false): Promise<ReminderRunSummary> {
    return runReminders(this.deps(), { isPastDue });
  }

  /** A lead as processing stores it: an arrival event, then the record and its follow-up entries rebuilt. */
  async lead(spec: LeadSpec): Promise<string> {
    const leadId = newUlid();
    const offer = spec.offer ?? { publisherId: 'contoso', offerId: 'offer-a', title: 'Offer A' };
    const stage: Stage = spec.doNotContact ? 'doNotContact' : (spec.stage ?? 'interest');
    const event: LeadArrivalEvent = {
      kind: 'arrival',
      eventId: leadId,
      at: spec.firstSeen.toISOString(),
      source: spec.isTest ? 'Test' : 'AzureMarketplace',
      sourceRaw: 'AzureMarketplace',
      action: spec.doNotContact ? 'DNC' : stage === 'active' ? 'INS' : stage === 'trial' ? 'Trial' : 'PLT',
      actionRaw: 'x',
      stage,
      offerId: offer.offerId,
      publisherId: offer.publisherId,
      offerTitle: offer.title,
      firstName: spec.firstName ?? 'Jan',
      lastName: 'Kowalski',
      company: 'Fabrikam',
      email: spec.email ?? `jan.${leadId.toLowerCase()}@fabrikam.example`,
      phone: '+48 600 100 200',
      phoneE164: '+48600100200',
      country: 'PL',
      isTest: spec.isTest ?? false,
      unrecognised: false,
      flags: [],
      rawBody: '{}',
    };
    await this.store.appendEvent(leadId, event);
    await rebuildLead(this.store, { leadId, offerKey: 'contoso.offer-a', identityKind: 'email' }, this.config);
    return leadId;
  }

  /** The stored record, read past the counting decorator. */
  async record(leadId: string): Promise<LeadRecord> {
    const stored = await this.real.getRecord(leadId);
    if (!stored) throw new Error(`no lead ${leadId}`);
    return stored.record;
  }

  async reminderEvents(leadId: string): Promise<LeadEvent[]> {
    return (await this.real.listEvents(leadId)).filter((e) => e.kind === 'reminder');
  }

  /** Rows in this test's Locks table. */
  async lockRows(): Promise<number> {
    let count = 0;
    for await (const _ of this.store.tables.locks.listEntities()) count++;
    return count;
  }
}

/** Lead ids named in a digest: each lead's contact link carries its id. */
function leadIdsIn(message: ReceivedMail): string[] {
  return [...message.text.matchAll(/\/api\/leads\/([0-9A-Z]{26})\/contact/g)].map((m) => m[1] ?? '').sort();
}

describe('runReminders', () => {
  test('one digest per recipient with exactly their due leads; each lead then carries a reminder event', async () => {
    const w = await World.create();
    const a1 = await w.lead({ firstSeen: T0 });
    const a2 = await w.lead({ firstSeen: hoursAfterT0(0.5), stage: 'active' });
    const b1 = await w.lead({ firstSeen: T0, offer: { title: 'Offer B' } });
    const notYet = await w.lead({ firstSeen: hoursAfterT0(2) });
    w.now = hoursAfterT0(25);

    const summary = await w.run();

    expect(w.smtp.received).toHaveLength(2);
    expect(w.smtp.to(ALICE).map(leadIdsIn)).toEqual([[a1, a2].sort()]);
    expect(w.smtp.to(BOB).map(leadIdsIn)).toEqual([[b1]]);
    expect(summary).toMatchObject({
      lease: 'acquired',
      due: 3,
      sent: 2,
      failed: 0,
      completed: 3,
      pending: 0,
      skipped: 0,
    });
    for (const id of [a1, a2, b1]) {
      expect((await w.record(id)).remindedAt).toBe(w.now.toISOString());
      expect((await w.store.followUpsOf(id)).map((f) => f.kind)).toEqual(['escalate']);
    }
    expect(await w.reminderEvents(a1)).toEqual([expect.objectContaining({ reminder: 'remind', recipients: [ALICE] })]);
    // The not-yet-due lead was not touched at all.
    expect((await w.record(notYet)).remindedAt).toBeUndefined();
    expect(await w.store.followUpsOf(notYet)).toHaveLength(2);
    // Most valuable first: the active lead leads Alice's digest.
    expect(w.smtp.to(ALICE)[0]?.text.indexOf(a2)).toBeLessThan(w.smtp.to(ALICE)[0]?.text.indexOf(a1) ?? -1);

    // A second run finds nothing left to send.
    const again = await w.run();
    expect(again).toMatchObject({ due: 0, sent: 0 });
    expect(w.smtp.received).toHaveLength(2);
  });

  test('each link names its lead, is signed with the current key and expires after the TTL', async () => {
    const w = await World.create();
    const id = await w.lead({ firstSeen: T0 });
    w.now = hoursAfterT0(24);
    await w.run();
    const url = new URL(/Mark as contacted: (\S+)/.exec(w.smtp.received[0]?.text ?? '')?.[1] ?? 'http://x');
    expect(url.origin + url.pathname).toBe(`https://leads.contoso.example/api/leads/${id}/contact`);
    const token = url.searchParams.get('token') ?? '';
    expect(verifyContactToken(id, token, w.now, { secret: SECRET })).toEqual({ ok: true });
    expect(verifyContactToken(id, token, new Date(w.now.getTime() + 14 * 24 * HOUR), { secret: SECRET })).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  test('a lead contacted before its due time is never mentioned and its entry is gone', async () => {
    const w = await World.create();
    const contacted = await w.lead({ firstSeen: T0 });
    const other = await w.lead({ firstSeen: T0 });
    w.now = hoursAfterT0(3);
    await patchLead({ store: w.store, clock: () => w.now, newId: newUlid, policy: w.config }, contacted, {
      status: { status: 'contacted', via: 'api' },
    });
    // The speed-to-lead entries are gone; the nurture cadence now holds the next touch.
    expect((await w.store.followUpsOf(contacted)).map((e) => e.kind)).toEqual(['nurture']);

    w.now = hoursAfterT0(25);
    await w.run();
    expect(w.smtp.received.flatMap(leadIdsIn)).toEqual([other]);
  });

  test('an entry left behind by an interrupted status change is dropped, not mailed (the rebuild removes it)', async () => {
    const w = await World.create();
    const id = await w.lead({ firstSeen: T0 });
    // The status event is in the history but the record and index were never rebuilt (a crash in between).
    await w.store.appendEvent(id, {
      kind: 'status',
      eventId: newUlid(),
      at: hoursAfterT0(2).toISOString(),
      status: 'qualified',
      via: 'api',
    });
    w.now = hoursAfterT0(25);

    const summary = await w.run();
    expect(w.smtp.received).toEqual([]);
    expect(summary).toMatchObject({ due: 1, skipped: 1, sent: 0 });
    expect((await w.record(id)).status).toBe('qualified');
    expect(await w.store.followUpsOf(id)).toEqual([]);
  });

  test('a follow-up put that lands after a status change (a slower writer) is dropped at due time, not mailed', async () => {
    // rebuild.ts lets a writer that only put entries skip re-reading the record; this is the state that can leave.
    const w = await World.create();
    const id = await w.lead({ firstSeen: T0 });
    w.now = hoursAfterT0(3);
    await patchLead({ store: w.store, clock: () => w.now, newId: newUlid, policy: w.config }, id, {
      status: { status: 'contacted', via: 'api' },
    });
    for (const [kind, hours] of [
      ['remind', 24],
      ['escalate', 48],
    ] as const) {
      await w.store.putFollowUp({ kind, leadId: id, dueAt: hoursAfterT0(hours).toISOString(), sentTo: [] });
    }

    w.now = hoursAfterT0(50);
    const summary = await w.run();
    expect(w.smtp.received).toEqual([]);
    expect(summary).toMatchObject({ due: 2, skipped: 2, sent: 0 });
    expect((await w.store.followUpsOf(id)).map((e) => e.kind)).toEqual(['nurture']);
  });

  test('a lead set back to new while the run drops its stale entry keeps an entry and is reminded next run', async () => {
    const w = await World.create();
    const id = await w.lead({ firstSeen: T0 });
    w.now = hoursAfterT0(3);
    const change = { store: w.store, clock: () => w.now, newId: newUlid, policy: w.config };
    await patchLead(change, id, { status: { status: 'contacted', via: 'api' } });
    await w.store.putFollowUp({ kind: 'remind', leadId: id, dueAt: hoursAfterT0(24).toISOString(), sentTo: [] });

    w.now = hoursAfterT0(25);
    // The run has read the lead as contacted and is about to drop the entry when sales set it back to new; that
    // change's own sync finds the entry still there.
    w.store.beforeNextDelete = async () =>
      void (await patchLead(change, id, { status: { status: 'new', via: 'dashboard' } }));
    const first = await w.run();
    expect(first).toMatchObject({ sent: 0, skipped: 1 });
    expect((await w.record(id)).status).toBe('new');
    expect((await w.store.followUpsOf(id)).map((e) => e.kind).sort()).toEqual(['escalate', 'remind']);

    w.now = hoursAfterT0(26);
    await w.run();
    expect(w.smtp.received.flatMap(leadIdsIn)).toEqual([id]);
  });

  test('an entry indexed just before its record is written is kept for the next run, then mailed', async () => {
    const w = await World.create();
    // What a customer's first lead leaves mid-way: its event and entry written, its record about to be created.
    const leadId = newUlid();
    const event = arrival(leadId, T0.toISOString(), { email: 'first@fabrikam.example' });
    await w.store.appendEvent(leadId, event);
    await w.store.putFollowUp({ kind: 'remind', leadId, dueAt: hoursAfterT0(24).toISOString(), sentTo: [] });
    w.now = hoursAfterT0(25);
    expect(await w.run()).toMatchObject({ due: 1, skipped: 0, pending: 1, sent: 0 });
    expect(await w.store.followUpsOf(leadId)).toHaveLength(1);

    // The first lead's create lands (it puts nothing more): the next run mails the lead.
    const identity = { leadId, offerKey: 'contoso.offer-a', identityKind: 'email' as const };
    expect(await w.store.saveRecord(projectLead(identity, [event])!, undefined)).toBe('saved');
    w.now = hoursAfterT0(25.25);
    await w.run();
    expect(w.smtp.received.flatMap(leadIdsIn)).toEqual([leadId]);
  });

  test('do-not-contact and test leads are never mailed, even with a stray index entry', async () => {
    const w = await World.create();
    const dnc = await w.lead({ firstSeen: T0, doNotContact: true });
    const test = await w.lead({ firstSeen: T0, isTest: true });
    expect(await w.store.followUpsOf(dnc)).toEqual([]);
    expect(await w.store.followUpsOf(test)).toEqual([]);
    await w.store.putFollowUp({ kind: 'remind', leadId: test, dueAt: hoursAfterT0(24).toISOString(), sentTo: [] });
    w.now = hoursAfterT0(50);

    const summary = await w.run();
    expect(w.smtp.received).toEqual([]);
    expect(summary).toMatchObject({ due: 1, skipped: 1 });
    expect(await w.store.followUpsOf(test)).toEqual([]);
  });

  test('a refusal for one recipient does not block the others; its leads go out on the next run, once', async () => {
    const w = await World.create();
    const a = await w.lead({ firstSeen: T0 });
    const b = await w.lead({ firstSeen: T0, offer: { title: 'Offer B' } });
    w.now = hoursAfterT0(25);
    w.smtp.refuse.add(ALICE);

    const first = await w.run();
    expect(first).toMatchObject({ sent: 1, failed: 1, completed: 1, pending: 1 });
    expect(first.digests.find((d) => d.recipient === ALICE)).toMatchObject({ outcome: 'failed', leadIds: [a] });
    expect(w.smtp.received.map((m) => m.rcptTo)).toEqual([[BOB]]);
    expect((await w.store.followUpsOf(a)).find((f) => f.kind === 'remind')?.sentTo).toEqual([]);
    expect((await w.record(a)).remindedAt).toBeUndefined();
    expect(w.logs.some((l) => l.startsWith('error') && l.includes(a) && l.includes('next run'))).toBe(true);

    w.smtp.refuse.clear();
    w.now = hoursAfterT0(25.25);
    const second = await w.run();
    expect(second).toMatchObject({ sent: 1, failed: 0 });
    expect(w.smtp.received.map((m) => m.rcptTo)).toEqual([[BOB], [ALICE]]);
    expect(leadIdsIn(w.smtp.received[1]!)).toEqual([a]);
    expect((await w.record(b)).remindedAt).toBeDefined();

    await w.run();
    expect(w.smtp.received).toHaveLength(2);
  });

  test('mail server down: nothing is marked, the next run sends each digest once', async () => {
    const w = await World.create();
    const id = await w.lead({ firstSeen: T0 });
    w.now = hoursAfterT0(25);
    await setMailServerDown(true);
    expect(await w.run()).toMatchObject({ sent: 0, failed: 1, completed: 0 });
    expect((await w.store.followUpsOf(id)).find((f) => f.kind === 'remind')?.sentTo).toEqual([]);
    expect(await w.reminderEvents(id)).toEqual([]);

    await setMailServerDown(false);
    expect(await w.run()).toMatchObject({ sent: 1, completed: 1 });
    expect(await w.run()).toMatchObject({ sent: 0, due: 0 });
    expect(w.smtp.received).toHaveLength(1);
  });

  test('a recipient already in sentTo is skipped: an interrupted run resumes with the others only', async () => {
    const w = await World.create();
    const id = await w.lead({ firstSeen: T0, offer: { offerId: 'shared-offer' } });
    w.now = hoursAfterT0(25);
    const entry = (await w.store.followUpsOf(id)).find((f) => f.kind === 'remind');
    if (!entry) throw new Error('expected a remind entry');
    // Alice's copy went out in a run that died before Carol's.
    await w.store.markFollowUpSent({ ...entry }, [ALICE]);

    await w.run();
    expect(w.smtp.received.map((m) => m.rcptTo)).toEqual([[CAROL]]);
    expect(await w.reminderEvents(id)).toEqual([expect.objectContaining({ recipients: [ALICE, CAROL] })]);
  });

  test('the one-repeat window: a digest accepted but not recorded (storage failed) is sent once more, never again', async () => {
    const w = await World.create();
    await w.lead({ firstSeen: T0 });
    w.now = hoursAfterT0(25);
    w.store.failMarks = 1;
    expect(await w.run()).toMatchObject({ sent: 1, completed: 0, pending: 1 });
    expect(w.logs.some((l) => l.startsWith('error') && l.includes('repeat'))).toBe(true);
    expect(await w.run()).toMatchObject({ sent: 1, completed: 1 });
    expect(await w.run()).toMatchObject({ sent: 0 });
    expect(w.smtp.received).toHaveLength(2);
  });

  test('escalation goes once to the escalation address, marked as such; a second run sends nothing', async () => {
    const w = await World.create();
    const id = await w.lead({ firstSeen: T0 });
    w.now = hoursAfterT0(49);

    const summary = await w.run();
    expect(summary).toMatchObject({ sent: 2, completed: 2 });
    const [escalation, ...more] = w.smtp.to(BOSS);
    expect(more).toEqual([]);
    expect(escalation?.subject).toMatch(/^Escalation: 1 marketplace lead still uncontacted after 48 h/);
    expect(leadIdsIn(escalation!)).toEqual([id]);
    expect(w.smtp.to(ALICE)).toHaveLength(1);
    expect(await w.record(id)).toMatchObject({ remindedAt: w.now.toISOString(), escalatedAt: w.now.toISOString() });
    expect(await w.store.followUpsOf(id)).toEqual([]);

    w.now = hoursAfterT0(60);
    expect(await w.run()).toMatchObject({ due: 0, sent: 0 });
    expect(w.smtp.received).toHaveLength(2);
  });

  test('without ESCALATION_EMAIL escalation entries are dropped and nothing is escalated', async () => {
    const w = await World.create();
    w.config = settings({ escalationEmail: undefined });
    const id = await w.lead({ firstSeen: T0 });
    w.now = hoursAfterT0(25);
    await w.run();
    w.now = hoursAfterT0(49);
    const summary = await w.run();
    expect(summary).toMatchObject({ due: 1, skipped: 1, sent: 0 });
    expect(w.smtp.received).toHaveLength(1);
    expect(await w.store.followUpsOf(id)).toEqual([]);
    expect((await w.record(id)).escalatedAt).toBeUndefined();
  });

  test('while another run holds the lease this run sends nothing; once it lapses the next run sends', async () => {
    const w = await World.create();
    const id = await w.lead({ firstSeen: T0 });
    w.now = hoursAfterT0(25);
    const held: LockRow = {
      owner: 'other-instance',
      expiresAt: hoursAfterT0(25.1).toISOString(),
      acquiredAt: w.now.toISOString(),
    };
    await w.store.tables.locks.createEntity({ partitionKey: LEASE_PARTITION, rowKey: LEASE_NAME, ...held });

    expect(await w.run()).toMatchObject({ lease: 'held', due: 0, sent: 0 });
    expect(w.smtp.received).toEqual([]);
    expect(w.logs.some((l) => l.startsWith('warn') && l.includes('holds the lease'))).toBe(true);
    expect(await w.store.followUpsOf(id)).toHaveLength(2);

    // The holder crashed: after its expiry the lease is taken over.
    w.now = hoursAfterT0(25.25);
    expect(await w.run()).toMatchObject({ lease: 'acquired', sent: 1 });
    // And the run released it when done.
    expect(await w.lockRows()).toBe(0);
  });

  test('two overlapping runs: one sends, the other finds the lease held; one email per recipient', async () => {
    const w = await World.create();
    await w.lead({ firstSeen: T0 });
    await w.lead({ firstSeen: T0, offer: { title: 'Offer B' } });
    w.now = hoursAfterT0(25);
    let second: Promise<ReminderRunSummary> | undefined;
    w.duringSend = async () => {
      // The next tick starts while the first run is still talking to the mail server.
      second ??= w.run();
      await second;
    };
    const first = await w.run();
    const other = await second;
    expect(first).toMatchObject({ lease: 'acquired', sent: 2 });
    expect(other).toMatchObject({ lease: 'held', sent: 0 });
    expect(w.smtp.received.map((m) => m.rcptTo[0]).sort()).toEqual([ALICE, BOB]);
  });

  test('a run that lost its lease stops before the next email and leaves the rest due', async () => {
    const w = await World.create();
    await w.lead({ firstSeen: T0 });
    const b = await w.lead({ firstSeen: T0, offer: { title: 'Offer B' } });
    w.now = hoursAfterT0(25);
    w.duringSend = async () => {
      w.duringSend = undefined;
      // This run stalled past its lease and another instance took over.
      const row = await w.store.tables.locks.getEntity<LockRow>(LEASE_PARTITION, LEASE_NAME);
      await w.store.tables.locks.updateEntity(
        {
          partitionKey: LEASE_PARTITION,
          rowKey: LEASE_NAME,
          owner: 'other',
          expiresAt: row.expiresAt,
          acquiredAt: row.acquiredAt,
        },
        'Replace',
        { etag: row.etag },
      );
    };
    const summary = await w.run();
    expect(summary).toMatchObject({ sent: 1, pending: 1 });
    expect(summary.digests.map((d) => d.outcome)).toEqual(['sent', 'notSent']);
    expect(w.smtp.received).toHaveLength(1);
    expect(summary.digests[1]).toMatchObject({ recipient: BOB, leadIds: [b], outcome: 'notSent' });
    expect((await w.store.followUpsOf(b)).find((f) => f.kind === 'remind')?.sentTo).toEqual([]);
    expect((await w.record(b)).remindedAt).toBeUndefined();
  });

  test('after downtime a run catches up with everything that fell due meanwhile, and logs isPastDue', async () => {
    const w = await World.create();
    const early = await w.lead({ firstSeen: T0 });
    const later = await w.lead({ firstSeen: hoursAfterT0(10) });
    w.now = hoursAfterT0(40);
    const summary = await w.run(true);
    expect(summary).toMatchObject({ isPastDue: true, sent: 1, completed: 2 });
    expect(leadIdsIn(w.smtp.received[0]!)).toEqual([early, later].sort());
    expect(w.logs[0]).toMatch(/isPastDue/);
  });

  test('work follows due entries: leads that are not due are never read', async () => {
    const w = await World.create();
    // Seeded concurrently (the leads are independent) to keep the file fast against Azurite.
    const times = (n: number, make: () => Promise<unknown>): Promise<unknown[]> =>
      Promise.all(Array.from({ length: n }, make));
    await times(150, () => w.lead({ firstSeen: hoursAfterT0(20) }));
    await times(150, async () => {
      const id = await w.lead({ firstSeen: T0 });
      await patchLead({ store: w.store, clock: () => hoursAfterT0(1), newId: newUlid, policy: w.config }, id, {
        status: { status: 'contacted', via: 'api' },
      });
    });
    const due = [await w.lead({ firstSeen: T0 }), await w.lead({ firstSeen: T0 }), await w.lead({ firstSeen: T0 })];
    w.now = hoursAfterT0(25);
    w.store.calls.getRecord = 0;
    w.store.calls.listEvents = 0;
    const summary = await w.run();
    expect(summary).toMatchObject({ due: 3, completed: 3 });
    // One read per due lead, plus the rebuild's after sending and its check that the record settled.
    expect(w.store.calls.getRecord).toBeLessThanOrEqual(due.length * 3);
    expect(w.store.calls.listEvents).toBeLessThanOrEqual(due.length * 2);
  });

  test('logs name lead ids and counts, never a customer name, address or phone number', async () => {
    const w = await World.create();
    await w.lead({ firstSeen: T0, firstName: 'Zbigniew', email: 'zbigniew@fabrikam.example' });
    w.now = hoursAfterT0(25);
    w.smtp.refuse.add(ALICE);
    await w.run();
    w.smtp.refuse.clear();
    await w.run();
    const all = w.logs.join('\n');
    expect(all).not.toMatch(/Zbigniew|Kowalski|@|600 ?100|\+48/);
  });
});

describe('a changed FOLLOW_UP_HOURS or ESCALATE_AFTER_HOURS', () => {
  /**
   * Runs the reminder run at each of `hours` after T0 and lists what each run mailed: `<hours> h: remind` for a
   * digest to a salesperson, `<hours> h: escalate` for one to the escalation address.
   */
  async function runsAt(w: World, hours: readonly number[]): Promise<string[]> {
    const mailed: string[] = [];
    for (const h of hours) {
      w.now = hoursAfterT0(h);
      const before = w.smtp.received.length;
      await w.run();
      for (const m of w.smtp.received.slice(before))
        mailed.push(`${h} h: ${m.rcptTo.includes(BOSS) ? 'escalate' : 'remind'}`);
    }
    return mailed;
  }

  async function reminderKinds(w: World, id: string): Promise<string[]> {
    return (await w.reminderEvents(id)).map((e) => (e.kind === 'reminder' ? e.reminder : e.kind)).sort();
  }

  // Shorter: the run finds an entry only once it is due at its old time, then moves it to the new (past) time, which
  // the next run sends. Longer: the entry found at its old time waits for the new one.
  test.each([
    ['shorter (6 h / 12 h)', 6, 12, [6.5, 12.5, 25, 26, 49, 50], ['26 h: remind', '50 h: escalate']],
    ['longer (30 h / 60 h)', 30, 60, [6.5, 12.5, 25, 26, 30.5, 49, 50, 60.5], ['30.5 h: remind', '60.5 h: escalate']],
  ])(
    '%s: a lead already waiting gets exactly one reminder and one escalation, none before the new times',
    async (_name, followUpHours, escalateAfterHours, hours, expected) => {
      const w = await World.create();
      const id = await w.lead({ firstSeen: T0 });
      w.config = settings({ followUpHours, escalateAfterHours });

      expect(await runsAt(w, hours)).toEqual(expected);
      expect(await reminderKinds(w, id)).toEqual(['escalate', 'remind']);
      expect(await w.store.followUpsOf(id)).toEqual([]);
      expect(w.logs.filter((l) => l.includes('stale entry'))).toHaveLength(2);
    },
  );

  test.each([
    ['shorter', 6, 12, [25, 26, 27], ['26 h: remind']],
    ['longer', 30, 60, [25, 26, 30.5, 31], ['30.5 h: remind']],
  ])(
    '%s: a moved entry whose old row could not be deleted is still sent once',
    async (_name, followUpHours, escalateAfterHours, hours, expected) => {
      const w = await World.create();
      const id = await w.lead({ firstSeen: T0 });
      w.config = settings({ followUpHours, escalateAfterHours });
      // Storage fails right after the entry at its new time was written: both rows are left.
      w.store.beforeNextDelete = () => Promise.reject(new Error('storage unavailable'));

      expect(await runsAt(w, hours)).toEqual(expected);
      expect(await reminderKinds(w, id)).toEqual(['remind']);
      expect((await w.store.followUpsOf(id)).map((e) => e.kind)).toEqual(['escalate']);
    },
  );

  /** A lead of an offer shared by ALICE and CAROL, reminded at 24 h (the old time) to ALICE only: CAROL refused. */
  async function remindedAliceOnly(): Promise<{ w: World; id: string }> {
    const w = await World.create();
    const id = await w.lead({ firstSeen: T0, offer: { offerId: 'shared-offer' } });
    w.now = hoursAfterT0(25);
    w.smtp.refuse.add(CAROL);
    await w.run();
    w.smtp.refuse.clear();
    expect(w.smtp.received.map((m) => m.rcptTo)).toEqual([[ALICE]]);
    return { w, id };
  }

  test('recipients who already had the reminder at its old time do not get it again at the new one', async () => {
    const { w, id } = await remindedAliceOnly();

    w.config = settings({ followUpHours: 30, escalateAfterHours: 60 });
    expect(await runsAt(w, [26, 30.5, 31])).toEqual(['30.5 h: remind']);
    expect(w.smtp.received.map((m) => m.rcptTo)).toEqual([[ALICE], [CAROL]]);
    expect(await w.reminderEvents(id)).toEqual([expect.objectContaining({ recipients: [ALICE, CAROL] })]);
  });

  test('a stale entry of a lead this run already reminds from its entry at the new time waits; nobody gets it twice', async () => {
    const { w, id } = await remindedAliceOnly();

    w.config = settings({ followUpHours: 6, escalateAfterHours: 12 });
    // A status change back to new meanwhile wrote the entry the record wants under the new hours, sent to nobody.
    await w.store.setFollowUpDue({ kind: 'remind', leadId: id, dueAt: hoursAfterT0(6).toISOString() });
    expect(await runsAt(w, [26, 27])).toEqual(['26 h: remind']);
    expect(w.smtp.received.map((m) => m.rcptTo)).toEqual([[ALICE], [CAROL]]);
    expect(await w.reminderEvents(id)).toEqual([expect.objectContaining({ recipients: [ALICE, CAROL] })]);
    expect((await w.store.followUpsOf(id)).map((e) => e.kind)).toEqual(['escalate']);
  });

  test('a new due time in the same hour as the old one moves the entry within its row', async () => {
    const w = await World.create();
    const id = await w.lead({ firstSeen: T0 });
    w.config = settings({ followUpHours: 24.25 });

    expect(await runsAt(w, [24.1])).toEqual([]);
    const remind = (await w.store.followUpsOf(id)).find((e) => e.kind === 'remind');
    expect(remind?.dueAt).toBe(hoursAfterT0(24.25).toISOString());
    expect(await runsAt(w, [24.3, 24.5])).toEqual(['24.3 h: remind']);
  });
});
