import { createHash } from 'node:crypto';

import { CONTENT_SECURITY_POLICY, DASHBOARD_HTML, dashboardResponse } from '../../../shared/sell/dashboard/page';
import { DASHBOARD_SCRIPT } from '../../../shared/sell/dashboard/script';
import { DASHBOARD_CSS } from '../../../shared/sell/dashboard/styles';

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

describe('dashboard page', () => {
  test('the CSP allows exactly the inline script and style the page carries, and nothing from elsewhere', () => {
    const script = /<script>([\s\S]*)<\/script>/.exec(DASHBOARD_HTML)?.[1];
    const style = /<style>([\s\S]*)<\/style>/.exec(DASHBOARD_HTML)?.[1];
    expect(script).toBe(DASHBOARD_SCRIPT);
    expect(style).toBe(DASHBOARD_CSS);
    expect(CONTENT_SECURITY_POLICY).toContain(`script-src ${hash(DASHBOARD_SCRIPT)}`);
    expect(CONTENT_SECURITY_POLICY).toContain(`style-src ${hash(DASHBOARD_CSS)}`);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("connect-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
  });

  test('no external resources, no inline event handlers, one script and one style', () => {
    // The SVG namespace is an identifier, not a fetch.
    expect(DASHBOARD_HTML).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet|https?:\/\/(?!www\.w3\.org\/2000\/svg')/);
    expect(DASHBOARD_HTML).not.toMatch(/\son[a-z]+=/i);
    expect(DASHBOARD_HTML.match(/<script/g)).toHaveLength(1);
    expect(DASHBOARD_HTML.match(/<style/g)).toHaveLength(1);
  });

  test('the script builds the DOM from data with textContent, never HTML strings', () => {
    expect(DASHBOARD_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    // It must at least parse (it is a string to TypeScript); the browser test runs it.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- parses the script text; goes when the script is compiled source
    expect(() => new Function(DASHBOARD_SCRIPT)).not.toThrow();
  });

  test('every form control has a label', () => {
    const ids = [...DASHBOARD_HTML.matchAll(/<(?:input|select|textarea)[^>]*\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(5);
    for (const id of ids) expect(DASHBOARD_HTML).toContain(`<label for="${id}"`);
  });

  test('is served with the CSP and without leaking its key in a Referer', () => {
    const res = dashboardResponse();
    expect(res.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    });
  });
});

describe('dashboard mailto links', () => {
  test('only a plain address becomes a link; query tricks in customer text never do', () => {
    const start = DASHBOARD_SCRIPT.indexOf('function mailtoHref');
    const source = DASHBOARD_SCRIPT.slice(start, DASHBOARD_SCRIPT.indexOf('\n  }\n', start) + 4);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval, @typescript-eslint/no-unsafe-call -- as above
    const mailtoHref = new Function(`${source}; return mailtoHref;`)() as (email: string | undefined) => string | null;
    expect(mailtoHref('Jan.Kowalski@Fabrikam.example')).toBe('mailto:Jan.Kowalski@Fabrikam.example');
    expect(mailtoHref('x@contoso.example?bcc=someone@evil.example')).toBeNull();
    expect(mailtoHref('x@contoso.example&body=hi')).toBeNull();
    expect(mailtoHref(undefined)).toBeNull();
  });
});
