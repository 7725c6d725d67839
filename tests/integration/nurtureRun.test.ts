/**
 * The nurture cadence through the real reminder run, with a fixed clock: the real RecordStore and Locks table in
 * Azurite, the real mailer over SMTP to a loopback server. Leads are contacted with real attempts (recordAttempt),
 * decided with real status changes, and the run is ticked every few hours across the cadence's days. One Azurite and
 * one SMTP server for the file; each test gets its own table prefix.
 */
import type { RunningAzurite } from '../../local-host/src/azurite';
import { type ReminderDeps, type ReminderSettings, runReminders } from '../../shared/followUp/runReminders';
import { newUlid } from '../../shared/ids';
import type { Mailer } from '../../shared/mail/mailer';
import type { AttemptOutcome } from '../../shared/record/attempts';
import type { LeadEvent, LeadRecord } from '../../shared/record/model';
import { patchLead } from '../../shared/record/patchLead';
import { rebuildLead } from '../../shared/record/rebuild';
import { recordAttempt } from '../../shared/record/recordAttempt';
import type { RecordStore } from '../../shared/record/recordStore';
import { restartCadence } from '../../shared/record/restartCadence';
import { DAY_MS, HOUR_MS } from '../../shared/time';
import { arrival } from '../support/events';
import { startTestAzurite } from '../support/hostProcess';
import { followUpsOf, testConfig } from '../support/leadFixtures';
import { type ReceivedMail, SmtpSink } from '../support/smtpSink';
import { type TestRecordStore, testStore } from '../support/testStore';

const T0 = Date.parse('2026-03-02T08:00:00Z');
const at = (days: number): Date => new Date(T0 + days * DAY_MS);
const SALES = 'sales@contoso.example';

const config: ReminderSettings = {
  followUpHours: 24,
  escalateAfterHours: 48,
  reminderRoutes: new Map(),
  defaultRecipients: [SALES],
  escalationEmail: undefined,
  contactLink: { secret: 'unit-test-contact-link-secret-0123456789', ttlDays: 14 },
  publicBaseUrl: 'https://leads.contoso.example',
  cadenceDays: [2, 5, 10],
};

let azurite: RunningAzurite;
let smtp: SmtpSink;
let mailer: Mailer;
let prefix = 0;

beforeAll(async () => {
  [azurite, smtp] = await Promise.all([startTestAzurite(), SmtpSink.start()]);
  mailer = smtp.mailer('Leads <leads@contoso.example>');
});

afterAll(async () => {
  mailer?.close();
  await Promise.all([smtp?.stop(), azurite?.stop()]);
});

/** The real store; a test can make the next commits or marks fail as a storage outage would. */
interface FaultyStore extends TestRecordStore {
  failMarks: number;
  failCommits: number;
  failDeletes: number;
}

class World {
  now = at(0);
  private constructor(readonly store: FaultyStore) {}

  static async create(): Promise<World> {
    const real = testStore(testConfig(azurite.connectionString, { TABLE_NAME_PREFIX: `N${++prefix}` }));
    await real.ensureTables();
    smtp.reset();
    const store: FaultyStore = {
      ...real,
      failMarks: 0,
      failCommits: 0,
      failDeletes: 0,
      async deleteFollowUp(kind, leadId, dueAt, etag) {
        if (store.failDeletes > 0) {
          store.failDeletes--;
          throw Object.assign(new Error('storage unavailable'), { statusCode: 503 });
        }
        return real.deleteFollowUp(kind, leadId, dueAt, etag);
      },
      async markFollowUpSent(entry, recipients) {
        if (store.failMarks > 0) {
          store.failMarks--;
          throw Object.assign(new Error('storage unavailable'), { statusCode: 503 });
        }
        return real.markFollowUpSent(entry, recipients);
      },
      async commitLead(commit) {
        if (store.failCommits > 0) {
          store.failCommits--;
          throw Object.assign(new Error('storage unavailable'), { statusCode: 503 });
        }
        return real.commitLead(commit);
      },
    };
    return new World(store);
  }

  private deps(): ReminderDeps {
    return {
      store: this.store,
      locks: this.store.tables.locks,
      mailer,
      clock: () => this.now,
      newId: newUlid,
      config,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    };
  }

  private get write(): { store: RecordStore; clock: () => Date; newId: () => string; policy: ReminderSettings } {
    return { store: this.store, clock: () => this.now, newId: newUlid, policy: config };
  }

  async lead(extra: { isTest?: boolean; doNotContact?: boolean } = {}): Promise<string> {
    const leadId = newUlid();
    await this.store.appendEvent(
      leadId,
      arrival(leadId, this.now.toISOString(), {
        email: `jan.${leadId.toLowerCase()}@fabrikam.example`,
        firstName: 'Jan',
        offerTitle: 'Ledger Cloud',
        isTest: extra.isTest ?? false,
        ...(extra.doNotContact ? { stage: 'doNotContact', action: 'DNC' } : {}),
      }),
    );
    await rebuildLead(this.store, { leadId, offerKey: 'ledger cloud', identityKind: 'email' }, config);
    return leadId;
  }

  async attempt(leadId: string, outcome: AttemptOutcome = 'noAnswer'): Promise<void> {
    const result = await recordAttempt(this.write, leadId, { channel: 'phone', outcome, via: 'api' });
    expect(result.ok).toBe(true);
  }

  async decide(leadId: string, status: 'qualified' | 'disqualified'): Promise<void> {
    const decision =
      status === 'qualified' ? { answers: { budget: { answer: 'yes' as const } } } : { reason: 'No need' };
    expect((await patchLead(this.write, leadId, { status: { status, via: 'api', ...decision } })).ok).toBe(true);
  }

  async restart(leadId: string): Promise<void> {
    expect((await restartCadence(this.write, leadId, { via: 'api' })).ok).toBe(true);
  }

  /** Ticks the reminder run every `everyHours` until `until` (days after T0). */
  async runUntil(until: number, everyHours = 6): Promise<void> {
    while (this.now.getTime() + everyHours * HOUR_MS <= at(until).getTime()) {
      this.now = new Date(this.now.getTime() + everyHours * HOUR_MS);
      await runReminders(this.deps(), { isPastDue: false });
    }
  }

  async record(leadId: string): Promise<LeadRecord> {
    const stored = await this.store.getRecord(leadId);
    if (!stored) throw new Error(`no lead ${leadId}`);
    return stored.record;
  }

  async nurtureEvents(leadId: string): Promise<LeadEvent[]> {
    return (await this.store.listEvents(leadId)).filter((e) => e.kind === 'reminder' && e.reminder === 'nurture');
  }
}

/** Mails naming this lead (its contact link carries its id), with the day after T0 each was received. */
function touchesOf(leadId: string): ReceivedMail[] {
  return smtp.to(SALES).filter((m) => m.text.includes(`/api/leads/${leadId}/contact`) && m.text.includes('touch '));
}

const sentDays = async (w: World, leadId: string): Promise<number[]> =>
  (await w.nurtureEvents(leadId)).map((e) => Math.floor((Date.parse(e.at) - T0) / DAY_MS));

describe('the nurture cadence in the reminder run', () => {
  test('touches fall on the cadence days after the first attempt, then the lead is stalled and left alone', async () => {
    const w = await World.create();
    const leadId = await w.lead();
    w.now = at(0.25);
    await w.attempt(leadId);
    await w.runUntil(14);

    expect(await sentDays(w, leadId)).toEqual([2, 5, 10]);
    expect((await w.nurtureEvents(leadId)).map((e) => (e.kind === 'reminder' ? e.reminder : ''))).toHaveLength(3);
    const mails = touchesOf(leadId);
    expect(mails.map((m) => /touch (\d) of 3/.exec(m.text)?.[1])).toEqual(['1', '2', '3']);
    expect(mails[2]?.text).toContain('stalled after this: qualify, disqualify or restart');
    // Nobody was reminded "contact this new lead": the attempt came first.
    expect(smtp.to(SALES).filter((m) => m.text.includes('Mark as contacted'))).toHaveLength(0);
    expect(await followUpsOf(w.store, leadId)).toEqual([]);
    expect((await w.record(leadId)).cadence).toMatchObject({ phase: 'running', stallsAt: at(10.25).toISOString() });

    // A restart starts the touches over from that moment.
    await w.restart(leadId);
    await w.runUntil(17);
    expect(await sentDays(w, leadId)).toEqual([2, 5, 10, 16]);
  });

  test('a reply or a decision stops the cadence; do-not-contact and test leads get no touch at all', async () => {
    const w = await World.create();
    const replied = await w.lead();
    const qualified = await w.lead();
    const disqualified = await w.lead();
    const test = await w.lead({ isTest: true });
    const dnc = await w.lead({ doNotContact: true });
    w.now = at(0.25);
    for (const id of [replied, qualified, disqualified, test, dnc]) await w.attempt(id);
    await w.runUntil(3);
    for (const id of [replied, qualified, disqualified]) expect(await sentDays(w, id)).toEqual([2]);

    await w.attempt(replied, 'replied');
    await w.decide(qualified, 'qualified');
    await w.decide(disqualified, 'disqualified');
    await w.runUntil(14);
    for (const id of [replied, qualified, disqualified]) {
      expect(await sentDays(w, id)).toEqual([2]);
      expect(touchesOf(id)).toHaveLength(1);
      expect(await followUpsOf(w.store, id)).toEqual([]);
    }
    for (const id of [test, dnc]) {
      expect(await w.nurtureEvents(id)).toEqual([]);
      expect(smtp.to(SALES).some((m) => m.text.includes(id))).toBe(false);
    }
  });

  test('a crash in a cadence run repeats a touch at most once (the one-repeat window), and never a recorded one', async () => {
    const w = await World.create();
    const leadId = await w.lead();
    w.now = at(0.25);
    await w.attempt(leadId);

    // The digest is accepted, then recording that fails: the next run sends it again, once, and records it.
    await w.runUntil(2);
    w.store.failMarks = 1;
    await w.runUntil(2.25);
    expect(touchesOf(leadId)).toHaveLength(1);
    expect(await w.nurtureEvents(leadId)).toEqual([]);
    await w.runUntil(2.5);
    expect(touchesOf(leadId)).toHaveLength(2);
    expect(await sentDays(w, leadId)).toEqual([2]);

    // Step 2: accepted and marked, but the history's write fails: the next run records it without mailing again.
    await w.runUntil(5);
    w.store.failCommits = 1;
    await w.runUntil(5.25);
    expect(touchesOf(leadId)).toHaveLength(3);
    expect(await sentDays(w, leadId)).toEqual([2]);
    await w.runUntil(9);
    expect(touchesOf(leadId)).toHaveLength(3);
    expect((await w.nurtureEvents(leadId)).map((e) => (e.kind === 'reminder' && 'step' in e ? e.step : 0))).toEqual([
      1, 2,
    ]);

    // Step 3: recorded in the history, then the run dies before the sent entry is deleted: it is dropped, not resent.
    await w.runUntil(10);
    w.store.failDeletes = 1;
    await w.runUntil(10.25);
    expect(await sentDays(w, leadId)).toEqual([2, 5, 10]);
    expect((await followUpsOf(w.store, leadId)).map((e) => e.step)).toEqual([3]);
    await w.runUntil(14);
    expect(touchesOf(leadId)).toHaveLength(4);
    expect(await followUpsOf(w.store, leadId)).toEqual([]);
  });
});
