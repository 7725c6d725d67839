/**
 * Attempts, decisions and the cadence restart through the local host over HTTP, against Azurite: what is recorded
 * shows in the lead, its history, the CSV export and /api/stats; bad bodies get a 4xx naming the field and rule.
 */
import type { RunningAzurite } from '../../local-host/src/azurite';
import type { AppConfig } from '../../shared/config';
import { parseCsv } from '../support/csv';
import { type HostProcess, startHost, startTestAzurite } from '../support/hostProcess';
import { getJson, leadBody, seedAt, waitForLead } from '../support/leadApi';
import { testConfig } from '../support/leadFixtures';

jest.setTimeout(180_000);

interface Problem {
  field: string;
  rule: string;
  message: string;
  allowed?: string[];
}
interface ErrorBody {
  error: string;
  problems?: Problem[];
}
interface LeadBody {
  leadId: string;
  status: string;
  attemptCount?: number;
  lastAttemptOutcome?: string;
  qualification?: Record<string, { answer: string; note?: string }>;
  disqualifyReason?: string;
  cadence?: { phase: string; step?: number };
}
interface Detail {
  lead: LeadBody;
  attempts: { eventId: string; channel: string; outcome: string; note?: string; by?: string }[];
  nurture: { stalled: boolean; trial?: { kind: string; label: string; endsAt: string } };
  history: { kind: string; answers?: unknown; reason?: string }[];
}

describe('nurture API through the local host', () => {
  let azurite: RunningAzurite;
  let host: HostProcess;
  let config: AppConfig;
  let base: string;
  const now = new Date();

  beforeAll(async () => {
    azurite = await startTestAzurite();
    config = testConfig(azurite.connectionString);
    host = await startHost({
      AzureWebJobsStorage: azurite.connectionString,
      QUALIFICATION_CRITERIA: '[{"key": "budget", "label": "Budget"}, {"key": "need", "label": "Need"}]',
      DISQUALIFY_REASONS: 'No budget, Chose a competitor',
      OFFER_TRIAL_DAYS: '{"northwind.crm": {"freeTrial": 14}}',
    });
    base = host.baseUrl;
  });

  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  const send = <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> =>
    getJson<T>(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });

  async function seed(email: string, action = 'PLT'): Promise<string> {
    const id = await seedAt(
      config,
      leadBody({ firstName: 'Ana', lastName: 'Lee', company: 'Contoso', email }, 'northwind.crm', { action }),
      new Date(now.getTime() - 3_600_000),
    );
    await waitForLead(base, id);
    return id;
  }

  test('an attempt is recorded, contacts the lead, starts its cadence and shows in its history', async () => {
    const id = await seed('ana.attempt@contoso.example');
    const created = await send<{ attempt: { eventId: string }; lead: LeadBody }>('POST', `/api/leads/${id}/attempts`, {
      channel: 'phone',
      outcome: 'leftMessage',
      note: 'Voicemail, will call Friday',
      by: 'li@sales.example',
    });
    expect(created.status).toBe(201);
    expect(created.body.lead).toMatchObject({
      status: 'contacted',
      attemptCount: 1,
      lastAttemptOutcome: 'leftMessage',
      cadence: { phase: 'running', step: 1 },
    });

    // An amendment fills in the same attempt; it does not count a second one.
    const amended = await send<{ lead: LeadBody }>('POST', `/api/leads/${id}/attempts`, {
      channel: 'phone',
      outcome: 'replied',
      amends: created.body.attempt.eventId,
    });
    expect(amended.status).toBe(201);
    const detail = await getJson<Detail>(`${base}/api/leads/${id}`);
    expect(detail.body.attempts).toEqual([
      expect.objectContaining({
        eventId: created.body.attempt.eventId,
        channel: 'phone',
        outcome: 'replied',
        note: 'Voicemail, will call Friday',
      }),
    ]);
    expect(detail.body.lead).toMatchObject({ attemptCount: 1, cadence: { phase: 'replied' } });
    expect(detail.body.nurture).toEqual({ stalled: false });
  });

  test('bad attempts get a 400 naming each field, an unknown lead 404, a huge body 413', async () => {
    const id = await seed('ana.bad@contoso.example');
    const bad = await send<ErrorBody>('POST', `/api/leads/${id}/attempts`, { channel: 'fax', outcome: 'maybe' });
    expect(bad.status).toBe(400);
    expect(bad.body.problems?.map((p) => [p.field, p.rule])).toEqual([
      ['channel', 'enum'],
      ['outcome', 'enum'],
    ]);
    const amends = await send<ErrorBody>('POST', `/api/leads/${id}/attempts`, {
      channel: 'email',
      outcome: 'noAnswer',
      amends: '01J00000000000000000000000',
    });
    expect(amends.status).toBe(400);
    expect(amends.body.problems).toEqual([expect.objectContaining({ field: 'amends', rule: 'known' })]);
    const missing = await send<ErrorBody>('POST', `/api/leads/01J00000000000000000000000/attempts`, {
      channel: 'email',
      outcome: 'noAnswer',
    });
    expect(missing.status).toBe(404);
    const huge = await send<ErrorBody>('POST', `/api/leads/${id}/attempts`, 'x'.repeat(17 * 1024));
    expect(huge.status).toBe(413);
    expect((await getJson<Detail>(`${base}/api/leads/${id}`)).body.lead.status).toBe('new');
  });

  test('qualifying stores the answers; disqualifying needs a configured reason; both show in the CSV and stats', async () => {
    const qualified = await seed('ana.qualified@contoso.example', 'Trial');
    const disqualified = await seed('ana.disqualified@contoso.example');

    const unknown = await send<ErrorBody>('PATCH', `/api/leads/${qualified}`, {
      status: 'qualified',
      answers: { budget: 'yes', colour: 'blue' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.problems).toEqual([
      expect.objectContaining({ field: 'answers.colour', rule: 'known', allowed: ['budget', 'need'] }),
    ]);
    const ok = await send<LeadBody>('PATCH', `/api/leads/${qualified}`, {
      status: 'qualified',
      answers: { budget: 'yes', need: { answer: 'no', note: 'Has a tool already' } },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.qualification).toEqual({
      budget: { answer: 'yes' },
      need: { answer: 'no', note: 'Has a tool already' },
    });

    const noReason = await send<ErrorBody>('PATCH', `/api/leads/${disqualified}`, { status: 'disqualified' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.problems).toEqual([
      expect.objectContaining({ field: 'reason', rule: 'required', allowed: ['No budget', 'Chose a competitor'] }),
    ]);
    const dq = await send<LeadBody>('PATCH', `/api/leads/${disqualified}`, {
      status: 'disqualified',
      reason: 'chose a competitor',
    });
    expect(dq.status).toBe(200);
    expect(dq.body.disqualifyReason).toBe('Chose a competitor');

    // The free trial's end uses the offer's length (14 days), computed when read.
    const detail = await getJson<Detail>(`${base}/api/leads/${qualified}`);
    expect(detail.body.nurture.trial).toMatchObject({ kind: 'freeTrial', label: 'trial ends in 13 days' });

    const csv = parseCsv(await (await fetch(`${base}/api/leads/export.csv`)).text());
    const header = (csv[0] ?? []).map((h) => h.replace(/^\uFEFF/, ''));
    const row = (id: string): Record<string, string> => {
      const cells = csv.find((r) => r[0] === id) ?? [];
      return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
    };
    expect(row(qualified)).toMatchObject({
      Status: 'qualified',
      'Qualification: Budget': 'yes',
      'Qualification: Need': 'no',
      'Disqualify reason': '',
      Stalled: 'false',
      'Trial ends (UTC)': detail.body.nurture.trial?.endsAt,
    });
    expect(row(disqualified)).toMatchObject({ 'Disqualify reason': 'Chose a competitor', 'Trial ends (UTC)': '' });

    const stats = await getJson<{
      qualification: {
        offers: {
          offerKey: string;
          qualified: number;
          disqualified: number;
          qualificationRate: number;
          reasons: unknown;
        }[];
      };
    }>(`${base}/api/stats`);
    expect(stats.body.qualification.offers.find((o) => o.offerKey === 'northwind.crm')).toMatchObject({
      qualified: 1,
      disqualified: 1,
      qualificationRate: 0.5,
      reasons: [{ reason: 'Chose a competitor', count: 1 }],
    });
  });

  test('a cadence restarts only on a contacted lead', async () => {
    const id = await seed('ana.restart@contoso.example');
    const early = await send<ErrorBody>('POST', `/api/leads/${id}/cadence/restart`);
    expect(early.status).toBe(409);
    expect(early.body.error).toBe('conflict');
    await send('POST', `/api/leads/${id}/attempts`, { channel: 'email', outcome: 'noAnswer' });
    const restarted = await send<LeadBody>('POST', `/api/leads/${id}/cadence/restart`, { by: 'li@sales.example' });
    expect(restarted.status).toBe(200);
    expect(restarted.body.cadence).toMatchObject({ phase: 'running', step: 1 });
    const history = (await getJson<Detail>(`${base}/api/leads/${id}`)).body.history.map((e) => e.kind);
    // Processing assigns the owner in the arrival's transaction: its event sits beside the arrival.
    expect(history).toEqual(['arrival', 'owner', 'attempt', 'cadenceRestart']);
  });
});
