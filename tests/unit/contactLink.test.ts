import { parseStatusUpdate } from '../../shared/api/statusUpdate';
import { newUlid } from '../../shared/ids';
import type { LeadArrivalEvent } from '../../shared/leads/model';
import { rebuildLead } from '../../shared/leads/rebuild';
import { handleContactLink, type ContactLinkDeps } from '../../shared/reminders/contactLink';
import { signContactToken } from '../../shared/reminders/contactToken';
import { MemoryLeadStore } from '../support/memoryLeadStore';

const NOW = new Date('2024-05-02T10:00:00Z');
const SECRET = 'unit-test-contact-link-secret-0123456789';
const LATER = new Date(NOW.getTime() + 14 * 86_400_000);

async function setup(person: Partial<LeadArrivalEvent> = {}): Promise<{ deps: ContactLinkDeps; store: MemoryLeadStore; leadId: string; logs: string[] }> {
  const store = new MemoryLeadStore();
  const leadId = newUlid();
  await store.appendEvent(leadId, {
    kind: 'lead',
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
  return { store, leadId, logs, deps: { store, clock: () => NOW, newId: newUlid, policy, secrets: { secret: SECRET }, log: (l) => logs.push(l) } };
}

const body = (res: { body?: unknown }): string => String(res.body);

describe('contact link', () => {
  test('GET shows an escaped confirmation page with a POST form and changes nothing', async () => {
    const { deps, store, leadId } = await setup({ firstName: '<img src=x onerror=alert(1)>', company: 'A&B "Ltd"' });
    const token = signContactToken(leadId, LATER, SECRET);
    const res = await handleContactLink({ method: 'GET', leadId, token, formAction: `/api/leads/${leadId}/contact?token=${token}` }, deps);
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
    expect(store.leads.get(leadId)?.record.status).toBe('new');
    expect(await store.listEvents(leadId)).toHaveLength(1);
  });

  test('POST records the contact as a status event and stops the reminders', async () => {
    const { deps, store, leadId } = await setup();
    const token = signContactToken(leadId, LATER, SECRET);
    const res = await handleContactLink({ method: 'POST', leadId, token, formAction: '' }, deps);
    expect(res.status).toBe(200);
    expect(body(res)).toContain('Marked as contacted');
    expect(store.leads.get(leadId)?.record).toMatchObject({ status: 'contacted', firstContactedAt: NOW.toISOString() });
    expect((await store.listEvents(leadId)).filter((e) => e.kind === 'status')).toEqual([
      expect.objectContaining({ status: 'contacted', via: 'email-link' }),
    ]);
    expect(store.followUpsOf(leadId)).toEqual([]);

    // A second click changes nothing and says so.
    const again = await handleContactLink({ method: 'POST', leadId, token, formAction: '' }, deps);
    expect(body(again)).toContain('Already marked as contacted');
    expect((await store.listEvents(leadId)).filter((e) => e.kind === 'status')).toHaveLength(1);
  });

  test.each([
    ['missing token', (id: string) => ({ leadId: id, token: undefined })],
    ['token of another lead', (id: string) => ({ leadId: id, token: signContactToken(newUlid(), LATER, SECRET) })],
    ['wrong key', (id: string) => ({ leadId: id, token: signContactToken(id, LATER, 'some-other-secret-0123456789abcdefghij') })],
    ['garbage', (id: string) => ({ leadId: id, token: 'not-a-token' })],
  ])('%s → 403 and no change, for GET and POST', async (_, make) => {
    const { deps, store, leadId } = await setup();
    for (const method of ['GET', 'POST'] as const) {
      const res = await handleContactLink({ method, ...make(leadId), formAction: '' }, deps);
      expect(res.status).toBe(403);
    }
    expect(store.leads.get(leadId)?.record.status).toBe('new');
  });

  test('an expired link → 410 with a page saying so', async () => {
    const { deps, leadId } = await setup();
    const res = await handleContactLink({ method: 'POST', leadId, token: signContactToken(leadId, new Date(NOW.getTime() - 1000), SECRET), formAction: '' }, deps);
    expect(res.status).toBe(410);
    expect(body(res)).toContain('expired');
  });

  test('a valid link for a lead that does not exist → 404', async () => {
    const { deps } = await setup();
    const ghost = newUlid();
    const res = await handleContactLink({ method: 'GET', leadId: ghost, token: signContactToken(ghost, LATER, SECRET), formAction: '' }, deps);
    expect(res.status).toBe(404);
  });
});

describe('PATCH body', () => {
  test('a valid update', () => {
    expect(parseStatusUpdate('{"status":"qualified","note":" called, budget ok ","by":"Ana"}')).toEqual({
      ok: true,
      update: { status: 'qualified', note: 'called, budget ok', by: 'Ana' },
    });
  });

  test('a bad status names the allowed values', () => {
    const result = parseStatusUpdate('{"status":"done"}');
    expect(result).toEqual({
      ok: false,
      body: {
        error: 'invalid_status_update',
        message: 'status must be one of new, contacted, qualified, disqualified',
        problems: [{ field: 'status', rule: 'enum', message: 'status must be one of new, contacted, qualified, disqualified' }],
      },
    });
  });

  test('bad JSON, a non-object and over-long note/by are 400 problems', () => {
    expect(parseStatusUpdate('{status:')).toMatchObject({ ok: false, body: { error: 'invalid_json', problems: [{ field: 'body', rule: 'json' }] } });
    expect(parseStatusUpdate('[]')).toMatchObject({ ok: false, body: { problems: [{ field: 'body', rule: 'type' }] } });
    const long = parseStatusUpdate(JSON.stringify({ status: 'contacted', note: 'x'.repeat(1001), by: 'y'.repeat(201) }));
    expect(long).toMatchObject({ ok: false, body: { problems: [{ field: 'note', rule: 'maxLength' }, { field: 'by', rule: 'maxLength' }] } });
    expect(parseStatusUpdate(JSON.stringify({ status: 'contacted', note: 'x'.repeat(1000), by: 'y'.repeat(200) })).ok).toBe(true);
    expect(parseStatusUpdate('{"status":"new","note":5}')).toMatchObject({ ok: false, body: { problems: [{ field: 'note', rule: 'type' }] } });
  });
});
