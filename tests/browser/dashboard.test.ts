/**
 * The dashboard in a real browser: headless Chromium (tests/support/chromium.ts) driven by playwright-core,
 * against the local host and Azurite.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { type Browser, chromium, type Page } from 'playwright-core';

import type { RunningAzurite } from '../../local-host/src/azurite';
import { STAGE_LABEL } from '../../shared/marketplace/stage';
import { chromiumExecutable } from '../support/chromium';
import { parseCsv } from '../support/csv';
import { type HostProcess, repoRoot, startHost, startTestAzurite } from '../support/hostProcess';
import { leadBody, type LeadSummary, listAll, seedAt, waitForLead } from '../support/leadApi';
import { testConfig } from '../support/leadFixtures';

jest.setTimeout(180_000);

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const KEY = 'test-key';
/**
 * The slice of the DOM the page-side callbacks read. The project compiles without DOM types, and string
 * expressions are no way out: Playwright evaluates those with eval, which the dashboard's CSP rightly blocks.
 */
interface PageGlobals {
  document: {
    querySelectorAll(selector: string): { length: number };
    activeElement: { id: string } | null;
    documentElement: { scrollWidth: number; clientWidth: number };
    querySelector(selector: string): { scrollWidth: number; clientWidth: number } | null;
  };
  __xss?: number;
}
const HOSTILE_NAME = '<img src=x onerror="window.__xss=1">';
// Customer text that a naive mailto: link would turn into a pre-filled Bcc.
const TRICK_EMAIL = 'x@hostile.example?bcc=someone@evil.example';
// As long as the app keeps them (names are cut at 256 characters; an offer title may be 1,024), without a space.
const LONG_NAME = 'N'.repeat(256);
const LONG_TITLE = 'T'.repeat(1024);

/** How wide the page's content is and how wide the box showing it: wider content means a horizontal scroll bar. */
async function widths(page: Page, selector?: string): Promise<{ content: number; box: number }> {
  return page.evaluate((selector) => {
    const { document } = globalThis as unknown as PageGlobals;
    const node = selector === undefined ? document.documentElement : document.querySelector(selector);
    if (!node) throw new Error(`no ${selector}`);
    return { content: node.scrollWidth, box: node.clientWidth };
  }, selector);
}

describe('dashboard in headless Chromium', () => {
  let azurite: RunningAzurite | undefined;
  let host: HostProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let base: string;
  let janId: string;
  let lateId: string;
  let longId: string;
  const problems: string[] = [];
  const apiCalls: { url: string; key?: string }[] = [];

  beforeAll(async () => {
    // First, so a bad CHROMIUM_PATH fails before anything starts; the first run unpacks the bundled browser.
    const executablePath = await chromiumExecutable();
    azurite = await startTestAzurite();
    const config = testConfig(azurite.connectionString);
    host = await startHost({ AzureWebJobsStorage: azurite.connectionString });
    base = host.baseUrl;
    for (const name of [
      'journey-1-contact-me',
      'journey-2-test-drive',
      'journey-3-get-it-now',
      'https-example',
      'do-not-contact',
    ]) {
      const res = await fetch(`${base}/api/leads`, {
        method: 'POST',
        body: fs.readFileSync(path.join(repoRoot, 'samples', `${name}.json`)),
      });
      expect(res.status).toBe(202);
    }
    lateId = await seedAt(
      config,
      leadBody(
        { firstName: 'Lena', lastName: 'Late', company: 'Slowpoke', email: 'lena@slowpoke.example' },
        'contoso.widgets',
      ),
      new Date(Date.now() - 30 * 3_600_000),
    );
    const hostileId = await seedAt(
      config,
      leadBody(
        { firstName: HOSTILE_NAME, lastName: '', company: '<b>bold</b>', email: TRICK_EMAIL },
        'contoso.widgets',
      ),
      new Date(Date.now() - 3_600_000),
    );
    longId = await seedAt(
      config,
      leadBody({ firstName: LONG_NAME, company: 'Longworth', email: 'long@longworth.example' }, 'longworth.suite', {
        offerTitle: LONG_TITLE,
      }),
      new Date(Date.now() - 2 * 3_600_000),
    );
    await waitForLead(base, lateId);
    await waitForLead(base, hostileId);
    await waitForLead(base, longId);
    const jan = await (async () => {
      for (let i = 0; i < 300; i++) {
        const found = (await listAll(base, 'q=kowalski')).items[0];
        if (found && found.eventCount === 3) return found;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the Kowalski journey was not processed');
    })();
    janId = jan.leadId;

    browser = await chromium.launch({ executablePath, args: FLAGS });
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content Security Policy/i.test(m.text()))
        problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('request', (r) => {
      if (new URL(r.url()).pathname !== '/api/dashboard')
        apiCalls.push({ url: r.url(), key: r.headers()['x-functions-key'] });
    });
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await azurite?.stop();
  });

  test('filters, opens a lead, marks it contacted, and the API shows the change', async () => {
    await page.goto(`${base}/api/dashboard?code=${KEY}`);
    const rows = page.locator('#lead-body tr[data-id]');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(6);
    await page.locator('#figures li').nth(4).waitFor();
    expect(await page.locator('#chart svg rect').count()).toBe(30);
    // How leads flow, from GET /api/health (names and times only).
    await page.locator('#lead-flow').filter({ hasText: 'poison queue' }).waitFor();
    expect(await page.locator('#lead-flow').textContent()).toMatch(
      /^Last real lead: (?!none yet).+ · last test lead: .+ · poison queue: 0 · rejected: 0$/,
    );
    expect(await page.locator('#funnel-body tr').count()).toBeGreaterThanOrEqual(3);

    // Waiting time past 24 h is highlighted, in words as well as colour.
    const lateCell = page.locator(`#lead-body tr[data-id="${lateId}"] td`).last();
    expect(await lateCell.getAttribute('class')).toContain('late');
    expect(await lateCell.textContent()).toMatch(/overdue/);

    // Filter with the keyboard: type and press Enter in the search box.
    await page.getByLabel('Name, company or email starts with').fill('kowal');
    await page.getByLabel('Name, company or email starts with').press('Enter');
    await page.waitForFunction(
      () => (globalThis as unknown as PageGlobals).document.querySelectorAll('#lead-body tr[data-id]').length === 1,
    );
    expect(await rows.first().getAttribute('data-id')).toBe(janId);
    // Stage labels are the server's (the same words as in reminder emails), not a copy in the script.
    expect(await rows.first().locator('td').nth(4).textContent()).toBe(STAGE_LABEL.active);

    // Open it from the keyboard: focus lands on the detail heading.
    await page.getByRole('button', { name: 'Jan Kowalski' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('#detail').waitFor({ state: 'visible' });
    expect(await page.locator('#detail-title').textContent()).toBe('Jan Kowalski');
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.id)).toBe(
      'detail-title',
    );
    // Three leads and the owner the first one got.
    expect(await page.locator('#detail-history li').count()).toBe(4);
    // The offer's route names one recipient (local.settings.sample.json).
    expect(await page.locator('#detail-facts').textContent()).toContain('Ownerledger-sales@contoso.example');
    // A plain address becomes a mail link.
    expect(await page.locator('#detail-facts a[href^="mailto:"]').getAttribute('href')).toBe(
      'mailto:JAN.KOWALSKI@FABRIKAM.EXAMPLE',
    );

    await page.getByLabel('Your name (optional)').fill('Browser Test');
    await page.getByLabel('Note (optional)').fill('Called from the dashboard');
    await page.getByRole('button', { name: 'Mark contacted' }).click();
    await page.getByText('Lead marked contacted.').waitFor();
    expect(await page.getByRole('button', { name: 'Mark contacted' }).isDisabled()).toBe(true);
    expect(await page.locator(`#lead-body tr[data-id="${janId}"] td`).nth(5).textContent()).toBe('contacted');
    expect(await page.locator('#detail-history li').count()).toBe(5);

    const res = await fetch(`${base}/api/leads/${janId}`);
    const { lead } = (await res.json()) as { lead: LeadSummary & { statusNote?: string } };
    expect(lead).toMatchObject({
      status: 'contacted',
      statusBy: 'Browser Test',
      statusNote: 'Called from the dashboard',
    });
    expect(lead.firstContactedAt).toEqual(expect.any(String));

    fs.mkdirSync(path.join(repoRoot, 'test-results'), { recursive: true });
    await page.screenshot({ path: path.join(repoRoot, 'test-results', 'dashboard.png'), fullPage: true });
  });

  test('logs an attempt, qualifies with answers, disqualifies with a reason: the API and the CSV have them', async () => {
    // Jan is open and contacted (the test before): the status change counts as his first attempt.
    await page.getByLabel('Channel').selectOption('phone');
    await page.getByLabel('Outcome').selectOption('leftMessage');
    await page.getByLabel('Note (optional)').fill('Voicemail');
    await page.getByRole('button', { name: 'Log attempt' }).click();
    await page.getByText('Attempt logged.').waitFor();
    expect(await page.locator('#detail-attempts li').count()).toBe(2);
    expect(await page.locator('#detail-attempts li').nth(1).textContent()).toContain(
      'phone, leftMessage by Browser Test',
    );
    expect(await page.locator('#detail-facts dd', { hasText: /test drive/ }).count()).toBe(1);

    await page.getByRole('button', { name: 'Mark qualified…' }).click();
    await page.getByLabel('Budget').selectOption('yes');
    await page.getByLabel('Need').selectOption('no');
    await page.getByRole('button', { name: 'Confirm qualified' }).click();
    await page.getByText('Lead marked qualified.').waitFor();
    await page.locator('#detail-facts dd', { hasText: 'Budget: yes' }).waitFor();
    await page.locator('#figures li', { hasText: 'Qualified of decided' }).waitFor();

    const detail = (await (await fetch(`${base}/api/leads/${janId}`)).json()) as {
      lead: { status: string; attemptCount: number; qualification: Record<string, { answer: string }> };
      attempts: { channel: string; outcome: string; note?: string; by?: string }[];
    };
    expect(detail.lead).toMatchObject({
      status: 'qualified',
      attemptCount: 2,
      qualification: {
        budget: { answer: 'yes' },
        authority: { answer: 'unknown' },
        need: { answer: 'no' },
        timing: { answer: 'unknown' },
      },
    });
    expect(detail.attempts[1]).toMatchObject({
      channel: 'phone',
      outcome: 'leftMessage',
      note: 'Voicemail',
      by: 'Browser Test',
    });

    // Lena: disqualified with a reason from the list.
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.locator(`#lead-body tr[data-id="${lateId}"] button`).click();
    await page.locator('#detail-title', { hasText: 'Lena Late' }).waitFor();
    await page.getByRole('button', { name: 'Mark disqualified…' }).click();
    await page.getByLabel('Reason').selectOption('Chose a competitor');
    await page.getByRole('button', { name: 'Confirm disqualified' }).click();
    await page.getByText('Lead marked disqualified.').waitFor();
    await page.locator('#detail-facts dd', { hasText: 'Chose a competitor' }).waitFor();

    const csv = parseCsv(await (await fetch(`${base}/api/leads/export.csv`)).text());
    const header = (csv[0] ?? []).map((h) => h.replace(/^\uFEFF/, ''));
    const row = (id: string): Record<string, string> =>
      Object.fromEntries(header.map((h, i) => [h, csv.find((r) => r[0] === id)?.[i] ?? '']));
    expect(row(janId)).toMatchObject({
      Attempts: '2',
      'Last attempt outcome': 'leftMessage',
      'Qualification: Budget': 'yes',
      'Qualification: Need': 'no',
      'Qualification: Timing': 'unknown',
    });
    expect(row(lateId)).toMatchObject({ Status: 'disqualified', 'Disqualify reason': 'Chose a competitor' });
    await page.locator('#detail-close').click();
  });

  test('orders by trial urgency and filters stalled leads, labelling trials in the list', async () => {
    const rows = page.locator('#lead-body tr[data-id]');
    expect(await rows.first().getAttribute('data-id')).not.toBe(janId);
    // Jan's test drive is the one trial among the leads: it leads the list, with its label.
    await page.getByLabel('Order').selectOption('trial');
    expect(await rows.first().getAttribute('data-id')).toBe(janId);
    expect(await rows.first().locator('.badge.trial').textContent()).toMatch(/^test drive ends/);
    // Nobody's cadence ran out yet.
    await page.getByLabel('Stalled only').check();
    await page.getByText('No leads match these filters.').waitFor();
    await page.getByLabel('Stalled only').uncheck();
    await page.getByLabel('Order').selectOption('newest');
    expect(await rows.count()).toBeGreaterThan(1);
  });

  test('"Only my leads" lists the leads of the address given, which the page remembers', async () => {
    const rows = page.locator('#lead-body tr[data-id]');
    const count = (n: number) =>
      (globalThis as unknown as PageGlobals).document.querySelectorAll('#lead-body tr[data-id]').length === n;
    await page.goto(`${base}/api/dashboard?code=${KEY}`);
    await rows.first().waitFor();
    await page.getByLabel('My email').fill('someone.else@contoso.example');
    await page.getByLabel('Only my leads').check();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No leads match these filters.').waitFor();
    // Every lead but the Ledger Cloud journey (routed to ledger-sales@) went to the default recipient
    // (local.settings.sample.json).
    await page.getByLabel('My email').fill('Sales@Contoso.example');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction(count, 5);
    await page.reload();
    expect(await page.getByLabel('My email').inputValue()).toBe('Sales@Contoso.example');
    expect(apiCalls.some((c) => new URL(c.url).searchParams.get('owner') === 'Sales@Contoso.example')).toBe(true);
  });

  test('every API call carried the key the page was opened with', () => {
    const api = apiCalls.filter((c) => new URL(c.url).pathname.startsWith('/api/'));
    expect(api.length).toBeGreaterThan(3);
    expect(api.every((c) => c.key === KEY)).toBe(true);
  });

  test('lead data is shown as text, never run as markup', async () => {
    await page.getByLabel('Name, company or email starts with').fill('<img');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction(
      () => (globalThis as unknown as PageGlobals).document.querySelectorAll('#lead-body tr[data-id]').length === 1,
    );
    expect(await page.locator('#lead-body tr[data-id] button').textContent()).toBe(HOSTILE_NAME);
    expect(await page.locator('#lead-body tr[data-id] td').nth(1).textContent()).toBe('<b>bold</b>');
    expect(await page.locator('#lead-body img, #lead-body b').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__xss)).toBeUndefined();

    // Its address carries a query: shown as text, never made into a mail link.
    await page.locator('#lead-body tr[data-id] button').click();
    await page.locator('#detail-facts dd', { hasText: TRICK_EMAIL }).waitFor();
    expect(await page.locator('#detail-facts a').count()).toBe(0);
    await page.locator('#detail-close').click();
  });

  test('an answer to filters already replaced is dropped: the list shows what the filters now ask', async () => {
    // The unfiltered list answers late (a slow page), after the filtered one the user asked for next.
    const unfiltered = (url: URL): boolean => url.pathname.endsWith('/api/leads') && !url.searchParams.has('q');
    await page.route(unfiltered, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.continue();
    });
    const late = page.waitForResponse((res) => unfiltered(new URL(res.url())));
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.getByLabel('Name, company or email starts with').fill('<img');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction(
      () => (globalThis as unknown as PageGlobals).document.querySelectorAll('#lead-body tr[data-id]').length === 1,
    );
    // Let the late answer arrive and the page handle it (its body read, then the tasks after it).
    await (await late).finished();
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 50)));
    await page.unroute(unfiltered);
    expect(await page.locator('#lead-body tr[data-id]').count()).toBe(1);
    expect(await page.locator('#lead-body tr[data-id] button').textContent()).toBe(HOSTILE_NAME);
  });

  test('long names and offer titles are cut to fit the window, in full on hover', async () => {
    // Reset clears the filters and lists every lead again (a control with id "reset" once broke form.reset()).
    await page.getByRole('button', { name: 'Reset' }).click();
    const row = page.locator(`#lead-body tr[data-id="${longId}"]`);
    await row.waitFor();
    expect(await page.getByLabel('Name, company or email starts with').inputValue()).toBe('');
    expect(await row.locator('button').getAttribute('title')).toBe(LONG_NAME);
    expect(await row.locator('td').nth(3).locator('span').getAttribute('title')).toBe(LONG_TITLE);
    expect(await page.locator('#funnel-body th span', { hasText: LONG_TITLE }).getAttribute('title')).toBe(LONG_TITLE);
    expect(await page.locator('#f-offer option[value="longworth.suite"]').getAttribute('title')).toBe(
      `${LONG_TITLE} (1)`,
    );
    const pageFits = await widths(page);
    expect(pageFits.content).toBeLessThanOrEqual(pageFits.box);
    const tableFits = await widths(page, '#split .table-wrap');
    expect(tableFits.content).toBeLessThanOrEqual(tableFits.box);

    await row.locator('button').click();
    await page.locator('#detail-title', { hasText: LONG_NAME }).waitFor();
    const withPanel = await widths(page);
    expect(withPanel.content).toBeLessThanOrEqual(withPanel.box);
    const tableBesidePanel = await widths(page, '#split .table-wrap');
    expect(tableBesidePanel.content).toBeLessThanOrEqual(tableBesidePanel.box);
    await page.screenshot({ path: path.join(repoRoot, 'test-results', 'dashboard-long-values.png'), fullPage: true });
    await page.locator('#detail-close').click();
  });

  test('the served page carries no lead data, and its CSP allows exactly the one script it runs', async () => {
    const res = await fetch(`${base}/api/dashboard?code=${KEY}`);
    const html = await res.text();
    for (const leadText of ['Kowalski', 'Lena', 'hostile.example', LONG_NAME]) expect(html).not.toContain(leadText);

    // The data block is JSON the script reads, never run: the policy allows the module script alone.
    expect(await page.locator('script').count()).toBe(2);
    expect(await page.locator('script[type="application/json"]').count()).toBe(1);
    const script = (await page.locator('script[type="module"]').textContent()) ?? '';
    const sha256 = createHash('sha256').update(script, 'utf8').digest('base64');
    expect(res.headers.get('content-security-policy')).toContain(`script-src 'sha256-${sha256}';`);

    // No inline event handlers anywhere, and every form control has a label.
    expect(await page.locator('xpath=//*[@*[starts-with(name(), "on")]]').count()).toBe(0);
    const controls = await page.locator('input, select, textarea').all();
    expect(controls.length).toBeGreaterThan(5);
    for (const control of controls)
      expect(await page.locator(`label[for="${await control.getAttribute('id')}"]`).count()).toBe(1);
  });

  test('no script errors, CSP violations or dialogs', () => {
    expect(problems).toEqual([]);
  });
});
