/**
 * Reminders end to end: Azurite, the local host in its own process, and a real SMTP server on loopback. Leads are
 * put on the queue with a `receivedAt` 25 h or 49 h in the past (the clock the tests control), the host processes
 * them, and the timer runs through `POST /admin/functions/sendReminders?wait=true`.
 */
import { ulid } from 'ulid';

import type { RunningAzurite } from '../../local-host/src/azurite';
import type { AppConfig } from '../../shared/config';
import { signContactToken } from '../../shared/followUp/contactToken';
import { LEASE_PARTITION } from '../../shared/followUp/runLease';
import { LEASE_NAME } from '../../shared/followUp/runReminders';
import { newUlid } from '../../shared/ids';
import { followUpKeys, type FollowUpKind } from '../../shared/record/keys';
import type { LeadRecord } from '../../shared/record/model';
import { eventually, type HostProcess, startHost, startTestAzurite } from '../support/hostProcess';
import { enqueue, envelopeFor, testConfig } from '../support/leadFixtures';
import { type ReceivedMail, SmtpSink } from '../support/smtpSink';
import { type TestRecordStore, testStore } from '../support/testStore';

const HOUR = 3600_000;
const SECRET = 'integration-contact-link-secret-0123456789';
const OLD_SECRET = 'integration-previous-link-secret-987654321';
const FROM = 'Marketplace leads <leads@contoso.example>';
const ALICE = 'alice@sales.example';
const BOB = 'bob@sales.example';
const TEAM = 'team@sales.example';
const BOSS = 'boss@sales.example';

interface LeadSpec {
  hoursAgo: number;
  offer?: 'A' | 'B';
  action?: 'PLT' | 'INS' | 'DNC';
  test?: boolean;
  firstName?: string;
}

/** Every name, address and phone number a test lead carried: none may ever appear in the host's log. */
const personalData: string[] = [];

function leadBody(spec: LeadSpec, n: string): string {
  const firstName = spec.firstName ?? `Ines${n}`;
  const email = `ines.${n}@customer.example`;
  const phone = `+49 30 ${n.slice(-7).replace(/\D/g, '7').padStart(7, '5')}`;
  personalData.push(firstName, email, phone);
  const offer = spec.offer === 'B' ? 'fabrikam.offer-b' : 'contoso.offer-a';
  const source = spec.test
    ? 'MSFT_TEST_636573304831318844-MSFT_TEST_636573304831318844'
    : `AzureMarketplace-${spec.action ?? 'PLT'}`;
  return JSON.stringify({
    UserDetails: {
      FirstName: firstName,
      LastName: 'Nowak',
      Email: email,
      Phone: phone,
      Country: 'DE',
      Company: 'Customer GmbH',
      Title: 'CTO',
    },
    LeadSource: `${source}|${offer}`,
    OfferTitle: spec.offer === 'B' ? 'Offer B' : 'Offer A',
    Description: '',
  });
}

/** Lead ids a digest names: each lead's "Mark as contacted" link carries its id. */
function leadIdsIn(mail: ReceivedMail): string[] {
  return [...new Set([...mail.text.matchAll(/\/api\/leads\/([0-9A-Z]{26})\/contact/g)].map((m) => m[1] ?? ''))].sort();
}

describe('sendReminders through the local host with a real SMTP server', () => {
  let azurite: RunningAzurite;
  let smtp: SmtpSink;
  let host: HostProcess;
  let env: Record<string, string>;
  let config: AppConfig;
  let store: TestRecordStore;

  beforeAll(async () => {
    azurite = await startTestAzurite();
    smtp = await SmtpSink.start();
    env = {
      AzureWebJobsStorage: azurite.connectionString,
      MAIL_TRANSPORT: 'smtp',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_SECURE: 'false',
      MAIL_FROM: FROM,
      // Never fires during a test: every run is the test's own admin call.
      REMINDER_SCHEDULE: '0 0 0 1 1 *',
      REMINDER_RECIPIENTS: TEAM,
      // One route by publisher-qualified offer id (as LeadSource carries it), one by offer title.
      REMINDER_ROUTES: JSON.stringify({ 'contoso.offer-a': ALICE, 'Offer B': [BOB] }),
      ESCALATION_EMAIL: BOSS,
      CONTACT_LINK_SECRET: SECRET,
      CONTACT_LINK_PREVIOUS_SECRET: OLD_SECRET,
      // These tests count reminder digests: each new lead's instant alert would reach the same SMTP server.
      ALERT_ON_NEW_LEAD: 'false',
    };
    host = await startHost(env);
    config = testConfig(azurite.connectionString, env);
    store = testStore(config);
    await store.ensureTables();
  });

  afterAll(async () => {
    await host?.stop();
    await smtp?.stop();
    await azurite?.stop();
  });

  beforeEach(async () => {
    // Each test starts with nothing due and an empty inbox, whatever the previous test left behind.
    smtp.reset();
    await store.tables.locks.deleteEntity(LEASE_PARTITION, LEASE_NAME).catch(() => undefined);
    expect(await runTimer()).toEqual({ status: 200, text: 'Succeeded' });
    smtp.reset();
  });

  async function runTimer(target: HostProcess = host): Promise<{ status: number; text: string }> {
    const res = await fetch(`${target.baseUrl}/admin/functions/sendReminders?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: '' }),
    });
    return { status: res.status, text: await res.text() };
  }

  async function followUp(kind: FollowUpKind, leadId: string, dueAt: Date): Promise<{ sentTo: string[] } | undefined> {
    const keys = followUpKeys(kind, leadId, dueAt);
    try {
      const row = await store.tables.followUps.getEntity<{ sentTo: string }>(keys.partitionKey, keys.rowKey);
      return { sentTo: JSON.parse(row.sentTo) as string[] };
    } catch {
      return undefined;
    }
  }

  async function record(leadId: string): Promise<LeadRecord> {
    const stored = await store.getRecord(leadId);
    if (!stored) throw new Error(`lead ${leadId} is not stored`);
    return stored.record;
  }

  /** Queues leads received `hoursAgo`, and waits until the host has stored them (and indexed those it should). */
  async function leads(...specs: LeadSpec[]): Promise<string[]> {
    const placed: { id: string; receivedAt: Date; indexed: boolean }[] = [];
    for (const spec of specs) {
      const receivedAt = new Date(Date.now() - spec.hoursAgo * HOUR);
      const envelope = envelopeFor(leadBody(spec, ulid().slice(-8)), receivedAt);
      await enqueue(config, envelope);
      placed.push({ id: envelope.id, receivedAt, indexed: !spec.test && spec.action !== 'DNC' });
    }
    for (const p of placed) {
      await eventually(`lead ${p.id} stored`, async () => {
        if (!(await store.getRecord(p.id))) return undefined;
        if (p.indexed && !(await followUp('escalate', p.id, new Date(p.receivedAt.getTime() + 48 * HOUR))))
          return undefined;
        return true;
      });
    }
    return placed.map((p) => p.id);
  }

  test('two recipients with three due leads between them get exactly two digests with the right leads', async () => {
    const [a1, a2, b1, fresh] = await leads(
      { hoursAgo: 25, offer: 'A' },
      { hoursAgo: 25.5, offer: 'A', action: 'INS', firstName: '<b>Zoë</b>' },
      { hoursAgo: 26, offer: 'B' },
      { hoursAgo: 1, offer: 'A' },
    );

    expect(await runTimer()).toEqual({ status: 200, text: 'Succeeded' });

    expect(smtp.received).toHaveLength(2);
    const [alice] = smtp.to(ALICE);
    const [bob] = smtp.to(BOB);
    expect(alice && leadIdsIn(alice)).toEqual([a1, a2].sort());
    expect(bob && leadIdsIn(bob)).toEqual([b1]);
    expect(alice?.rcptTo).toEqual([ALICE]);
    expect(alice?.headers.get('from')).toBe(FROM);
    expect(alice?.subject).toBe('2 marketplace leads waiting for follow-up (oldest 1 d 1 h)');
    // Most valuable first: the active customer heads the digest; and customer data is escaped in HTML.
    expect(alice!.text.indexOf(a2!)).toBeLessThan(alice!.text.indexOf(a1!));
    expect(alice?.html).toContain('&lt;b&gt;Zoë&lt;/b&gt;');
    expect(alice?.html).not.toContain('<b>Zoë');
    expect(smtp.received.flatMap(leadIdsIn)).not.toContain(fresh);

    for (const id of [a1!, a2!, b1!]) {
      expect((await record(id)).remindedAt).toBeDefined();
      const events = await store.listEvents(id);
      expect(events.filter((e) => e.kind === 'reminder')).toEqual([expect.objectContaining({ reminder: 'remind' })]);
    }
    expect(host.output()).toContain('Reminder run started (isPastDue: false)');

    expect(await runTimer()).toEqual({ status: 200, text: 'Succeeded' });
    expect(smtp.received).toHaveLength(2);
  });

  test('a lead contacted (PATCH) before its reminder went out is not mentioned, and its index entries are gone', async () => {
    const [contacted, other] = await leads({ hoursAgo: 25 }, { hoursAgo: 25 });
    const res = await fetch(`${host.baseUrl}/api/leads/${contacted}?code=test`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'contacted', note: 'called, demo booked', by: 'Ana' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      leadId: contacted,
      status: 'contacted',
      statusNote: 'called, demo booked',
      statusBy: 'Ana',
    });
    expect(body).not.toHaveProperty('rawBody');
    const receivedAt = Date.parse((await record(contacted!)).firstSeenAt);
    expect(await followUp('remind', contacted!, new Date(receivedAt + 24 * HOUR))).toBeUndefined();
    expect(await followUp('escalate', contacted!, new Date(receivedAt + 48 * HOUR))).toBeUndefined();
    expect((await store.listEvents(contacted!)).filter((e) => e.kind === 'status')).toEqual([
      expect.objectContaining({ status: 'contacted', via: 'api', note: 'called, demo booked', by: 'Ana' }),
    ]);

    await runTimer();
    expect(smtp.received.flatMap(leadIdsIn)).toEqual([other]);
  });

  test('do-not-contact and test leads are never mentioned', async () => {
    const [dnc, testLead, normal] = await leads(
      { hoursAgo: 50, action: 'DNC' },
      { hoursAgo: 50, test: true },
      { hoursAgo: 25 },
    );
    expect((await record(dnc!)).doNotContact).toBe(true);
    expect((await record(testLead!)).isTest).toBe(true);
    await runTimer();
    expect(smtp.received.flatMap(leadIdsIn)).toEqual([normal]);
    await runTimer();
    expect(smtp.received).toHaveLength(1);
  });

  test('mail server refusing (451): nothing is marked; the next run, server accepting, sends once', async () => {
    const [id] = await leads({ hoursAgo: 25 });
    const dueAt = new Date(Date.parse((await record(id!)).firstSeenAt) + 24 * HOUR);
    smtp.refuseAll = true;
    const failed = await runTimer();
    expect(failed.status).toBe(500);
    expect(failed.text).toMatch(/not accepted by the mail server/);
    expect(smtp.received).toEqual([]);
    expect(await followUp('remind', id!, dueAt)).toEqual({ sentTo: [] });
    expect((await record(id!)).remindedAt).toBeUndefined();

    smtp.refuseAll = false;
    expect((await runTimer()).status).toBe(200);
    expect(smtp.received.map(leadIdsIn)).toEqual([[id]]);
    expect(await followUp('remind', id!, dueAt)).toBeUndefined();
    await runTimer();
    expect(smtp.received).toHaveLength(1);
  });

  test('a refusal for one recipient does not hold back the other', async () => {
    const [a, b] = await leads({ hoursAgo: 25, offer: 'A' }, { hoursAgo: 25, offer: 'B' });
    smtp.refuse.add(ALICE);
    expect((await runTimer()).status).toBe(500);
    expect(smtp.received.map((m) => [m.rcptTo, leadIdsIn(m)])).toEqual([[[BOB], [b]]]);

    smtp.refuse.clear();
    await runTimer();
    expect(smtp.received.map((m) => [m.rcptTo, leadIdsIn(m)])).toEqual([
      [[BOB], [b]],
      [[ALICE], [a]],
    ]);
  });

  test('mail server down (closed): nothing is marked; once it is back the next run sends once', async () => {
    const [id] = await leads({ hoursAgo: 25 });
    await smtp.stop();
    try {
      const failed = await runTimer();
      expect(failed.status).toBe(500);
      expect((await record(id!)).remindedAt).toBeUndefined();
    } finally {
      await smtp.listen();
    }
    await runTimer();
    await runTimer();
    expect(smtp.received.map(leadIdsIn)).toEqual([[id]]);
  });

  test('two overlapping runs on two instances send one email per recipient', async () => {
    const [a, b] = await leads({ hoursAgo: 25, offer: 'A' }, { hoursAgo: 25, offer: 'B' });
    const second = await startHost({ ...env, 'AzureWebJobs.processLead.Disabled': 'true' });
    try {
      // A slow mail server keeps the first run busy while the other instance's run starts.
      smtp.delayMs = 1500;
      const results = await Promise.all([runTimer(host), runTimer(second)]);
      expect(results.map((r) => r.status)).toEqual([200, 200]);
      expect(smtp.received.map((m) => [m.rcptTo, leadIdsIn(m)]).sort()).toEqual([
        [[ALICE], [a]],
        [[BOB], [b]],
      ]);
      expect(`${host.output()}\n${second.output()}`).toContain('Another reminder run holds the lease');
    } finally {
      await second.stop();
    }
  });

  test('while another run holds the lease nothing is sent; a lapsed lease (crashed run) is taken over', async () => {
    const [id] = await leads({ hoursAgo: 25 });
    const lock = {
      partitionKey: LEASE_PARTITION,
      rowKey: LEASE_NAME,
      owner: 'crashed-run',
      acquiredAt: new Date().toISOString(),
    };
    await store.tables.locks.upsertEntity(
      { ...lock, expiresAt: new Date(Date.now() + 5 * 60_000).toISOString() },
      'Replace',
    );
    expect(await runTimer()).toEqual({ status: 200, text: 'Succeeded' });
    expect(smtp.received).toEqual([]);

    await store.tables.locks.upsertEntity({ ...lock, expiresAt: new Date(Date.now() - 1000).toISOString() }, 'Replace');
    await runTimer();
    expect(smtp.received.map(leadIdsIn)).toEqual([[id]]);
  });

  test('escalation goes once to ESCALATION_EMAIL and a second run sends nothing', async () => {
    const [id] = await leads({ hoursAgo: 49 });
    await runTimer();
    const escalations = smtp.to(BOSS);
    expect(escalations).toHaveLength(1);
    expect(escalations[0]?.rcptTo).toEqual([BOSS]);
    expect(escalations[0]?.subject).toMatch(/^Escalation: 1 marketplace lead still uncontacted after 48 h/);
    expect(leadIdsIn(escalations[0]!)).toEqual([id]);
    // The salesperson, never reminded during the outage, gets the reminder too.
    expect(smtp.to(ALICE).map(leadIdsIn)).toEqual([[id]]);
    expect(await record(id!)).toMatchObject({ remindedAt: expect.any(String), escalatedAt: expect.any(String) });

    await runTimer();
    expect(smtp.received).toHaveLength(2);
  });

  describe('the "Mark as contacted" link', () => {
    const contactUrl = (id: string, token: string): string =>
      `${host.baseUrl}/api/leads/${id}/contact?token=${encodeURIComponent(token)}`;
    const inDays = (days: number): Date => new Date(Date.now() + days * 24 * HOUR);

    test('the emailed link shows a page and changes nothing; its POST marks the lead contacted with an event', async () => {
      const [id] = await leads({ hoursAgo: 25, firstName: 'Åsa <script>' });
      await runTimer();
      const link = /Mark as contacted: (\S+)/.exec(smtp.received[0]?.text ?? '')?.[1];
      expect(link).toBeDefined();
      const url = new URL(link!);
      const local = `${host.baseUrl}${url.pathname}${url.search}`;
      const eventsBefore = await store.listEvents(id!);

      const page = await fetch(local);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain(
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
      );
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      const html = await page.text();
      expect(html).toContain('Åsa &lt;script&gt;');
      expect(html).not.toContain('<script');
      expect(html).toContain('Offer A');
      expect((await record(id!)).status).toBe('new');
      expect(await store.listEvents(id!)).toEqual(eventsBefore);

      const action = /<form method="post" action="([^"]+)">/.exec(html)?.[1]?.replace(/&amp;/g, '&');
      const token = url.searchParams.get('token') ?? '';
      const done = await fetch(`${host.baseUrl}${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
      });
      expect(done.status).toBe(200);
      const donePage = await done.text();
      expect(donePage).toContain('Marked as contacted');
      expect(await record(id!)).toMatchObject({ status: 'contacted', firstContactedAt: expect.any(String) });
      const attempts = (await store.listEvents(id!)).filter((e) => e.kind === 'attempt');
      expect(attempts).toEqual([expect.objectContaining({ outcome: 'unknown', via: 'email-link' })]);

      // The page's form says how it went, posted as the browser would: same action, same token, the click's id.
      const amends = /name="amends" value="([0-9A-Z]{26})"/.exec(donePage)?.[1] ?? '';
      const saved = await fetch(`${host.baseUrl}${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          token,
          amends,
          channel: 'email',
          outcome: 'leftMessage',
          note: 'Sent the deck',
        }).toString(),
      });
      expect(saved.status).toBe(200);
      expect(await record(id!)).toMatchObject({
        attemptCount: 1,
        lastAttemptChannel: 'email',
        lastAttemptOutcome: 'leftMessage',
      });
    });

    test('tampered id, tampered expiry and a wrong key → 403; expired → 410; unknown lead → 404; the previous key still works', async () => {
      const [id, other] = await leads({ hoursAgo: 2 }, { hoursAgo: 2 });
      const valid = signContactToken(id!, inDays(14), SECRET);
      const [expiry, mac] = valid.split('.') as [string, string];

      expect((await fetch(contactUrl(other!, valid))).status).toBe(403);
      expect((await fetch(contactUrl(id!, `${Number(expiry) + 86_400}.${mac}`))).status).toBe(403);
      expect(
        (await fetch(contactUrl(id!, signContactToken(id!, inDays(14), 'an-attacker-guess-0123456789abcdefghij'))))
          .status,
      ).toBe(403);
      expect((await fetch(`${host.baseUrl}/api/leads/${id}/contact`)).status).toBe(403);
      const forgedPost = await fetch(contactUrl(other!, valid), { method: 'POST' });
      expect(forgedPost.status).toBe(403);

      const expired = await fetch(contactUrl(id!, signContactToken(id!, new Date(Date.now() - 60_000), SECRET)));
      expect(expired.status).toBe(410);
      expect(await expired.text()).toContain('This link has expired');
      const expiredPost = await fetch(contactUrl(id!, signContactToken(id!, new Date(Date.now() - 60_000), SECRET)), {
        method: 'POST',
      });
      expect(expiredPost.status).toBe(410);

      const ghost = newUlid();
      expect((await fetch(contactUrl(ghost, signContactToken(ghost, inDays(14), SECRET)))).status).toBe(404);

      expect((await fetch(contactUrl(id!, signContactToken(id!, inDays(14), OLD_SECRET)))).status).toBe(200);
      expect((await fetch(contactUrl(id!, valid))).status).toBe(200);
      // Nothing of the above changed either lead.
      expect((await record(id!)).status).toBe('new');
      expect((await record(other!)).status).toBe('new');
    });
  });

  describe('PATCH /api/leads/{id}', () => {
    const patch = (id: string, body: string): Promise<Response> =>
      fetch(`${host.baseUrl}/api/leads/${id}?code=test`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body,
      });

    test('a bad status is a 400 naming the allowed values; bad JSON is a 400', async () => {
      const [id] = await leads({ hoursAgo: 2 });
      const res = await patch(id!, JSON.stringify({ status: 'done' }));
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: 'invalid_request',
        message: 'status must be one of new, contacted, qualified, disqualified',
        problems: [
          {
            field: 'status',
            rule: 'enum',
            message: 'status must be one of new, contacted, qualified, disqualified',
            allowed: ['new', 'contacted', 'qualified', 'disqualified'],
          },
        ],
      });
      const badJson = await patch(id!, '{"status": ');
      expect(badJson.status).toBe(400);
      expect(await badJson.json()).toMatchObject({
        error: 'invalid_request',
        problems: [{ field: 'body', rule: 'json' }],
      });
      expect((await record(id!)).status).toBe('new');
    });

    test('an unknown id is a 404; a malformed one is the 400 naming id that GET and DELETE answer too', async () => {
      expect((await patch(newUlid(), '{"status":"contacted"}')).status).toBe(404);
      const malformed = await patch('not-a-lead', '{"status":"contacted"}');
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toMatchObject({ error: 'invalid_request', problems: [{ field: 'id' }] });
    });
  });

  test('the host log never contains a customer name, email address or phone number', () => {
    expect(personalData.length).toBeGreaterThan(10);
    const log = host.output();
    for (const value of personalData) expect(log).not.toContain(value);
  });
});
