/**
 * The dashboard in a real browser: headless Chromium (tests/support/chromium.ts) driven by playwright-core,
 * against the local host and Azurite.
 */
import fs from 'node:fs';
import path from 'node:path';

import { type Browser, chromium, type Page } from 'playwright-core';

import type { RunningAzurite } from '../../local-host/src/azurite';
import { chooseChromium } from '../support/chromium';
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
  document: { querySelectorAll(selector: string): { length: number }; activeElement: { id: string } | null };
  __xss?: number;
}
const HOSTILE_NAME = '<img src=x onerror="window.__xss=1">';

describe('dashboard in headless Chromium', () => {
  let azurite: RunningAzurite | undefined;
  let host: HostProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let base: string;
  let janId: string;
  let lateId: string;
  const problems: string[] = [];
  const apiCalls: { url: string; key?: string }[] = [];

  beforeAll(async () => {
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
        { firstName: HOSTILE_NAME, lastName: '', company: '<b>bold</b>', email: 'x@hostile.example' },
        'contoso.widgets',
      ),
      new Date(Date.now() - 3_600_000),
    );
    await waitForLead(base, lateId);
    await waitForLead(base, hostileId);
    const jan = await (async () => {
      for (let i = 0; i < 300; i++) {
        const found = (await listAll(base, 'q=kowalski')).items[0];
        if (found && found.eventCount === 3) return found;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the Kowalski journey was not processed');
    })();
    janId = jan.leadId;

    const { executablePath } = await chooseChromium();
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
    expect(await rows.count()).toBe(5);
    await page.locator('#figures li').nth(4).waitFor();
    expect(await page.locator('#chart svg rect').count()).toBe(30);
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

    // Open it from the keyboard: focus lands on the detail heading.
    await page.getByRole('button', { name: 'Jan Kowalski' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('#detail').waitFor({ state: 'visible' });
    expect(await page.locator('#detail-title').textContent()).toBe('Jan Kowalski');
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.id)).toBe(
      'detail-title',
    );
    expect(await page.locator('#detail-history li').count()).toBe(3);

    await page.getByLabel('Your name (optional)').fill('Browser Test');
    await page.getByLabel('Note (optional)').fill('Called from the dashboard');
    await page.getByRole('button', { name: 'Mark contacted' }).click();
    await page.getByText('Lead marked contacted.').waitFor();
    expect(await page.getByRole('button', { name: 'Mark contacted' }).isDisabled()).toBe(true);
    expect(await page.locator(`#lead-body tr[data-id="${janId}"] td`).nth(5).textContent()).toBe('contacted');
    expect(await page.locator('#detail-history li').count()).toBe(4);

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
  });

  test('no script errors, CSP violations or dialogs', () => {
    expect(problems).toEqual([]);
  });
});
