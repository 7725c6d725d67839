/**
 * The "Mark as contacted" link handler against the real store in Azurite with a fixed clock: GET only shows,
 * POST records the contact and removes the follow-up entries, bad tokens never reach the lead. One Azurite for
 * the file; each test gets its own table prefix.
 */
import type { RunningAzurite } from '../../local-host/src/azurite';
import { type ContactLinkDeps, handleContactLink } from '../../shared/followUp/contactLink';
import { signContactToken } from '../../shared/followUp/contactToken';
import { newUlid } from '../../shared/ids';
import type { LeadArrivalEvent } from '../../shared/record/model';
import { patchLead } from '../../shared/record/patchLead';
import { rebuildLead } from '../../shared/record/rebuild';
import { type RecordStore } from '../../shared/record/recordStore';
import { startTestAzurite } from '../support/hostProcess';
import { followUpsOf, testConfig } from '../support/leadFixtures';
import { type TestRecordStore, testStore } from '../support/testStore';

const NOW = new Date('2024-05-02T10:00:00Z');
const SECRET = 'unit-test-contact-link-secret-0123456789';
const LATER = new Date(NOW.getTime() + 14 * 86_400_000);

let azurite: RunningAzurite;
let prefixCounter = 0;

beforeAll(async () => {
  azurite = await startTestAzurite();
});

afterAll(async () => {
  await azurite?.stop();
});

async function setup(
  person: Partial<LeadArrivalEvent> = {},
): Promise<{ deps: ContactLinkDeps; store: TestRecordStore; leadId: string; logs: string[] }> {
  const store = testStore(testConfig(azurite.connectionString, { TABLE_NAME_PREFIX: `T${++prefixCounter}` }));
  await store.ensureTables();
  const leadId = newUlid();
  await store.appendEvent(leadId, {
    kind: 'arrival',
    eventId: leadId,
    at: '2024-05-01T09:00:00.000Z',
    source: 'AppSource',
    sourceRaw: 'AppSource',
    action: 'PLT',
    actionRaw: 'PLT',
    stage: 'interest',
    offerTitle: 'Ledger Cloud',
    firstName: 'Jan',
    lastName: 'Kowalski',
    company: 'Fabrikam',
    email: 'jan@fabrikam.example',
    isTest: false,
    unrecognised: false,
    flags: [],
    rawBody: '{}',
    ...person,
  });
  const policy = { followUpHours: 24, escalateAfterHours: 48 };
  await rebuildLead(store, { leadId, offerKey: 'ledger cloud', identityKind: 'email' }, policy);
  const logs: string[] = [];
  return {
    store,
    leadId,
    logs,
    deps: { store, clock: () => NOW, newId: newUlid, policy, secrets: { secret: SECRET }, log: (l) => logs.push(l) },
  };
}

const body = (res: { body?: unknown }): string => String(res.body);

describe('contact link', () => {
  test('GET shows an escaped confirmation page with a POST form and changes nothing', async () => {
    const { deps, store, leadId } = await setup({ firstName: '<img src=x onerror=alert(1)>', company: 'A&B "Ltd"' });
    const token = signContactToken(leadId, LATER, SECRET);
    const res = await handleContactLink(
      { method: 'GET', leadId, token, formAction: `/api/leads/${leadId}/contact?token=${token}` },
      deps,
    );
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({
      'content-security-policy': expect.stringContaining("default-src 'none'"),
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    });
    expect(body(res)).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(body(res)).not.toContain('<img');
    expect(body(res)).toContain('A&amp;B &quot;Ltd&quot;');
    expect(body(res)).toMatch(/<form method="post" action="\/api\/leads\/[0-9A-Z]{26}\/contact\?token=[^"]+">/);
    expect((await store.getRecord(leadId))?.record.status).toBe('new');
    expect(await store.listEvents(leadId)).toHaveLength(1);
  });

  test('POST records a contact attempt, stops the reminders and asks how it went; a second click is the same attempt', async () => {
    const { deps, store, leadId } = await setup();
    const token = signContactToken(leadId, LATER, SECRET);
    const formAction = `/api/leads/${leadId}/contact?token=${token}`;
    const res = await handleContactLink({ method: 'POST', leadId, token, formAction }, deps);
    expect(res.status).toBe(200);
    expect(body(res)).toContain('Marked as contacted');
    expect((await store.getRecord(leadId))?.record).toMatchObject({
      status: 'contacted',
      firstContactedAt: NOW.toISOString(),
      attemptCount: 1,
      lastAttemptOutcome: 'unknown',
    });
    const attempts = (await store.listEvents(leadId)).filter((e) => e.kind === 'attempt');
    expect(attempts).toEqual([
      expect.objectContaining({
        channel: 'unknown',
        outcome: 'unknown',
        via: 'email-link',
        linkKey: token.split('.')[1],
      }),
    ]);
    // The speed-to-lead entries are gone; the cadence's first touch is due two days after the click.
    expect((await followUpsOf(store, leadId)).map((e) => [e.kind, e.dueAt])).toEqual([
      ['nurture', new Date(NOW.getTime() + 2 * 86_400_000).toISOString()],
    ]);
    // The page's form carries the same token and the click's id, and nothing else but its three fields.
    const clickId = attempts[0]!.eventId;
    expect(body(res)).toContain(`<input type="hidden" name="amends" value="${clickId}">`);
    expect(body(res)).toContain(`<input type="hidden" name="token" value="${token}">`);

    const again = await handleContactLink({ method: 'POST', leadId, token, formAction }, deps);
    expect(body(again)).toContain(`value="${clickId}"`);
    expect((await store.listEvents(leadId)).filter((e) => e.kind === 'attempt')).toHaveLength(1);
  });

  test("the page's form completes its own click only: channel, outcome and note", async () => {
    const { deps, store, leadId } = await setup();
    const token = signContactToken(leadId, LATER, SECRET);
    await handleContactLink({ method: 'POST', leadId, token, formAction: '' }, deps);
    const clickId = (await store.listEvents(leadId)).find((e) => e.kind === 'attempt')!.eventId;
    const form = (fields: Record<string, string>): URLSearchParams => new URLSearchParams({ token, ...fields });

    const other = signContactToken(leadId, new Date(LATER.getTime() + 1000), SECRET);
    const foreign = await handleContactLink(
      {
        method: 'POST',
        leadId,
        token: other,
        formAction: '',
        form: form({ amends: clickId, channel: 'phone', outcome: 'reached' }),
      },
      deps,
    );
    expect(foreign.status).toBe(400);
    const bad = await handleContactLink(
      {
        method: 'POST',
        leadId,
        token,
        formAction: '',
        form: form({ amends: clickId, channel: 'fax', outcome: 'reached' }),
      },
      deps,
    );
    expect(bad.status).toBe(400);

    const saved = await handleContactLink(
      {
        method: 'POST',
        leadId,
        token,
        formAction: '',
        form: form({
          amends: clickId,
          channel: 'phone',
          outcome: 'replied',
          note: 'Wants a demo',
          status: 'qualified',
          by: 'x',
        }),
      },
      deps,
    );
    expect(saved.status).toBe(200);
    expect(body(saved)).toContain('Saved');
    expect((await store.getRecord(leadId))?.record).toMatchObject({
      status: 'contacted',
      attemptCount: 1,
      lastAttemptChannel: 'phone',
      lastAttemptOutcome: 'replied',
      cadence: { phase: 'replied' },
    });
    expect(await followUpsOf(store, leadId)).toEqual([]);
  });

  test("a qualification landing between the link's check and its event wins: the lead is not moved back", async () => {
    const { deps, store, leadId } = await setup();
    const token = signContactToken(leadId, LATER, SECRET);
    // The real store, with someone qualifying the lead from the dashboard just before the link's event is written
    // (and stamped a second earlier, as a clock on another instance may be): the link's save then finds the record
    // changed and goes round again.
    let raced = false;
    const racing: RecordStore = {
      ...store,
      commitLead: async (commit) => {
        const link = commit.add?.some((e) => e.kind === 'attempt' && e.via === 'email-link');
        if (link && !raced) {
          raced = true;
          await patchLead(
            { store, clock: () => new Date(NOW.getTime() - 1000), newId: newUlid, policy: deps.policy },
            commit.record.leadId,
            { status: { status: 'qualified', via: 'dashboard' } },
          );
        }
        return store.commitLead(commit);
      },
    };
    const res = await handleContactLink({ method: 'POST', leadId, token, formAction: '' }, { ...deps, store: racing });
    expect(body(res)).toContain('Already marked as qualified');
    expect((await store.getRecord(leadId))?.record).toMatchObject({
      status: 'qualified',
      statusChangedAt: new Date(NOW.getTime() - 1000).toISOString(),
    });
    expect(await followUpsOf(store, leadId)).toEqual([]);
  });

  test.each([
    ['missing token', (id: string) => ({ leadId: id, token: undefined })],
    ['token of another lead', (id: string) => ({ leadId: id, token: signContactToken(newUlid(), LATER, SECRET) })],
    [
      'wrong key',
      (id: string) => ({ leadId: id, token: signContactToken(id, LATER, 'some-other-secret-0123456789abcdefghij') }),
    ],
    ['garbage', (id: string) => ({ leadId: id, token: 'not-a-token' })],
  ])('%s → 403 and no change, for GET and POST', async (_, make) => {
    const { deps, store, leadId } = await setup();
    for (const method of ['GET', 'POST'] as const) {
      const res = await handleContactLink({ method, ...make(leadId), formAction: '' }, deps);
      expect(res.status).toBe(403);
    }
    expect((await store.getRecord(leadId))?.record.status).toBe('new');
  });

  test('an expired link → 410 with a page saying so', async () => {
    const { deps, leadId } = await setup();
    const res = await handleContactLink(
      {
        method: 'POST',
        leadId,
        token: signContactToken(leadId, new Date(NOW.getTime() - 1000), SECRET),
        formAction: '',
      },
      deps,
    );
    expect(res.status).toBe(410);
    expect(body(res)).toContain('expired');
  });

  test('a valid link for a lead that does not exist → 404', async () => {
    const { deps } = await setup();
    const ghost = newUlid();
    const res = await handleContactLink(
      { method: 'GET', leadId: ghost, token: signContactToken(ghost, LATER, SECRET), formAction: '' },
      deps,
    );
    expect(res.status).toBe(404);
  });
});
