/**
 * How the server assembles the dashboard page around its script. The script itself is checked by the compiler and
 * ESLint (tsconfig.browser.json) and exercised in Chromium (tests/browser/dashboard.test.ts).
 */
import { createHash } from 'node:crypto';

import { STAGE_LABEL } from '../../../shared/marketplace/stage';
import {
  contentSecurityPolicy,
  DASHBOARD_DATA,
  type DashboardData,
  dashboardHtml,
} from '../../../shared/sell/dashboard/page';
import { DASHBOARD_CSS } from '../../../shared/sell/dashboard/styles';

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const SCRIPT = 'document.title = "x";\nexport {};\n';

describe('dashboard page', () => {
  test('the CSP allows exactly the script and style the page inlines, and nothing from elsewhere', () => {
    const html = dashboardHtml(SCRIPT);
    const csp = contentSecurityPolicy(SCRIPT);
    expect(html).toContain(`<script type="module">${SCRIPT}</script>`);
    expect(html).toContain(`<style>${DASHBOARD_CSS}</style>`);
    expect(csp).toContain(`script-src ${hash(SCRIPT)};`);
    expect(csp).toContain(`style-src ${hash(DASHBOARD_CSS)};`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
  });

  test("the page's data block carries the server's stage labels and statuses", () => {
    const block = /<script type="application\/json" id="page-data">([^<]*)<\/script>/.exec(dashboardHtml(SCRIPT));
    const data = JSON.parse(block?.[1] ?? 'null') as DashboardData;
    expect(data).toEqual(DASHBOARD_DATA);
    expect(data.stages.map((s) => s.value)).toEqual(['interest', 'trial', 'active', 'doNotContact']);
    for (const { value, label } of data.stages) expect(label).toBe(STAGE_LABEL[value as keyof typeof STAGE_LABEL]);
    expect(data.statusActions).toEqual(['contacted', 'qualified', 'disqualified']);
  });

  test('refuses a script that would end its <script> element early', () => {
    expect(() => dashboardHtml('const s = "</script><b>";')).toThrow(/<\/script/);
    expect(() => dashboardHtml('const s = "<!--";')).toThrow(/<!--/);
  });
});
