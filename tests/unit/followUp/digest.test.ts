import { type DigestLead, renderDigest } from '../../../shared/followUp/digest';
import { formatWait, mailtoHref, telHref } from '../../../shared/followUp/leadMail';

const NOW = new Date('2024-05-03T12:00:00Z');
const HOUR = 3_600_000;

function lead(overrides: Partial<DigestLead> & Pick<DigestLead, 'leadId'>): DigestLead {
  return {
    stage: 'interest',
    firstName: 'Ada',
    lastName: 'Lovelace',
    company: 'Analytical Engines',
    email: 'ada@example.com',
    firstSeenAt: new Date(NOW.getTime() - 30 * HOUR),
    history: [],
    contactUrl: `https://leads.example.com/api/leads/${overrides.leadId}/contact?token=1.abc`,
    escalation: false,
    ...overrides,
  };
}

function orderIn(text: string, ids: string[]): number[] {
  return ids.map((id) => text.indexOf(`/api/leads/${id}/contact`));
}

describe('renderDigest ordering', () => {
  const leads = [
    lead({ leadId: 'INTEREST_OLD', stage: 'interest', firstSeenAt: new Date(NOW.getTime() - 90 * HOUR) }),
    lead({ leadId: 'TRIAL_NEW', stage: 'trial', firstSeenAt: new Date(NOW.getTime() - 25 * HOUR) }),
    lead({ leadId: 'ACTIVE', stage: 'active', firstSeenAt: new Date(NOW.getTime() - 24 * HOUR) }),
    lead({ leadId: 'TRIAL_OLD', stage: 'trial', firstSeenAt: new Date(NOW.getTime() - 40 * HOUR) }),
  ];
  const expected = ['ACTIVE', 'TRIAL_OLD', 'TRIAL_NEW', 'INTEREST_OLD'];

  test.each(['text', 'html'] as const)('%s lists most valuable first, then longest waiting', (part) => {
    const positions = orderIn(renderDigest(leads, NOW, { escalation: false })[part], expected);
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  test("does not reorder the caller's array", () => {
    const copy = [...leads];
    renderDigest(leads, NOW, { escalation: false });
    expect(leads).toEqual(copy);
  });
});

describe('renderDigest subject', () => {
  test('states the count and the oldest wait', () => {
    const leads = [
      lead({ leadId: 'A', firstSeenAt: new Date(NOW.getTime() - 26 * HOUR - 10 * 60_000) }),
      lead({ leadId: 'B', firstSeenAt: new Date(NOW.getTime() - 25 * HOUR) }),
      lead({ leadId: 'C', firstSeenAt: new Date(NOW.getTime() - 24 * HOUR) }),
    ];
    expect(renderDigest(leads, NOW, { escalation: false }).subject).toBe(
      '3 marketplace leads waiting for follow-up (oldest 1 d 2 h)',
    );
  });

  test('singular for one lead', () => {
    expect(renderDigest([lead({ leadId: 'A' })], NOW, { escalation: false }).subject).toBe(
      '1 marketplace lead waiting for follow-up (oldest 1 d 6 h)',
    );
  });

  test('escalation variant names the threshold', () => {
    const leads = [
      lead({ leadId: 'A', escalation: true, firstSeenAt: new Date(NOW.getTime() - 50 * HOUR) }),
      lead({ leadId: 'B', escalation: true }),
    ];
    expect(renderDigest(leads, NOW, { escalation: true, escalateAfterHours: 48 }).subject).toBe(
      'Escalation: 2 marketplace leads still uncontacted after 48 h (oldest 2 d 2 h)',
    );
    expect(renderDigest(leads, NOW, { escalation: true }).subject).toMatch(
      /^Escalation: 2 marketplace leads still uncontacted \(oldest/,
    );
  });

  test('contains no user data and no line breaks', () => {
    const hostile = lead({
      leadId: 'A',
      firstName: 'Eve\r\nBcc: all@example.com',
      lastName: 'Mallory',
      company: 'Evil\nCorp',
      email: 'eve@evil.example',
      offerTitle: 'Secret Offer',
    });
    const { subject } = renderDigest([hostile], NOW, { escalation: true, escalateAfterHours: 48 });
    expect(subject).not.toMatch(/[\r\n]/);
    for (const value of ['Eve', 'Mallory', 'Evil', 'eve@', 'Secret', 'Bcc']) expect(subject).not.toContain(value);
  });

  test('refuses an empty digest', () => {
    expect(() => renderDigest([], NOW, { escalation: false })).toThrow(RangeError);
  });
});

describe('renderDigest content', () => {
  const full = lead({
    leadId: '01HZX3V6Q8W4M2K9T7R5N3B1CD',
    stage: 'trial',
    firstName: '<script>alert(1)</script>',
    lastName: 'Smith',
    title: 'CTO & founder',
    company: 'Acme "Rockets" Ltd',
    country: 'US',
    email: "o'brien+leads@acme.example",
    phone: '(555) 010-9999',
    phoneE164: '+15550109999',
    offerTitle: 'Contoso Widget',
    offerId: 'contoso.widget',
    firstSeenAt: new Date('2024-05-02T09:00:00Z'),
    history: [
      { at: new Date('2024-05-02T15:30:00Z'), source: 'AzureMarketplace', action: 'StartTestDrive', stage: 'trial' },
      { at: new Date('2024-05-02T09:00:00Z'), source: 'AppSource', action: 'PLT', stage: 'interest' },
    ],
  });
  const { text, html } = renderDigest([full], NOW, { escalation: false });

  test('html escapes a script in the name and quotes in the company', () => {
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Smith');
    expect(html).toContain('Acme &quot;Rockets&quot; Ltd');
    expect(html).not.toContain('"Rockets"');
    expect(html).toContain('CTO &amp; founder');
  });

  test('html links email with mailto: and phone with tel: (E.164 preferred), attribute-escaped', () => {
    expect(html).toContain('href="mailto:o&#39;brien%2Bleads@acme.example"');
    expect(html).toContain('href="tel:+15550109999"');
    expect(html).toContain('(555) 010-9999</a>');
  });

  test('html has the Mark as contacted link', () => {
    expect(html).toContain('href="https://leads.example.com/api/leads/01HZX3V6Q8W4M2K9T7R5N3B1CD/contact?token=1.abc"');
    expect(html).toContain('Mark as contacted');
  });

  test('both parts carry the lead details, wait and history in UTC, oldest first', () => {
    for (const part of [text, html]) {
      expect(part).toContain('Contoso Widget (contoso.widget)');
      expect(part).toContain('waiting 1 d 3 h');
      expect(part).toContain('US');
      const first = part.indexOf('2024-05-02 09:00 UTC');
      const second = part.indexOf('2024-05-02 15:30 UTC');
      expect(first).toBeGreaterThanOrEqual(0);
      expect(second).toBeGreaterThan(first);
      expect(part).toContain('StartTestDrive via AzureMarketplace (trial)');
    }
  });

  test('text part is plain, with the raw values and the link', () => {
    expect(text).toContain('<script>alert(1)</script> Smith');
    expect(text).toContain('Company: Acme "Rockets" Ltd');
    expect(text).toContain("Email: o'brien+leads@acme.example");
    expect(text).toContain('Phone: (555) 010-9999');
    expect(text).toContain(
      'Mark as contacted: https://leads.example.com/api/leads/01HZX3V6Q8W4M2K9T7R5N3B1CD/contact?token=1.abc',
    );
  });

  test('line breaks in user data cannot fake extra fields in the text part', () => {
    const { text: t } = renderDigest(
      [lead({ leadId: 'A', company: 'Acme\n   Mark as contacted: https://evil.example' })],
      NOW,
      {
        escalation: false,
      },
    );
    expect(t).toContain('Company: Acme Mark as contacted: https://evil.example');
    expect(t.split('\n').filter((l) => l.trimStart().startsWith('Mark as contacted:'))).toHaveLength(1);
  });

  test('drops links for values that cannot be an address or a number, but still shows them escaped', () => {
    const bad = lead({
      leadId: 'A',
      email: 'x@y.com?bcc=all@corp.com',
      phone: 'call me "later"',
      phoneE164: undefined,
    });
    const out = renderDigest([bad], NOW, { escalation: false }).html;
    expect(out).not.toContain('mailto:');
    expect(out).not.toContain('tel:');
    expect(out).toContain('x@y.com?bcc=all@corp.com');
    expect(out).toContain('call me &quot;later&quot;');
  });

  test('a non-http contact URL is not linked', () => {
    const out = renderDigest([lead({ leadId: 'A', contactUrl: 'javascript:alert(1)' })], NOW, { escalation: false });
    expect(out.html).not.toContain('javascript:');
    expect(out.text).not.toContain('javascript:');
  });

  test('marks escalated leads', () => {
    const out = renderDigest([lead({ leadId: 'A', escalation: true })], NOW, {
      escalation: true,
      escalateAfterHours: 48,
    });
    expect(out.html).toContain('Escalated');
    expect(out.text).toContain('ESCALATED');
  });
});

describe('link helpers', () => {
  test.each([
    ['ada@example.com', 'mailto:ada@example.com'],
    ['a+b@example.co.uk', 'mailto:a%2Bb@example.co.uk'],
    ['josé@exámple.com', 'mailto:jos%C3%A9@ex%C3%A1mple.com'],
    ['no-at-sign', undefined],
    ['a@b', undefined],
    ['a b@example.com', undefined],
    ['"a"@example.com', undefined],
    ['a@example.com>', undefined],
    ['a@example.com,b@example.com', undefined],
    [undefined, undefined],
  ])('mailtoHref(%p) → %p', (input, href) => {
    expect(mailtoHref(input)).toBe(href);
  });

  test.each([
    ['(555) 010-9999', '+15550109999', 'tel:+15550109999'],
    ['+44 20 7946 0958', undefined, 'tel:+442079460958'],
    ['020 7946 0958', 'not-e164', 'tel:02079460958'],
    ['call me', undefined, undefined],
    ['123', undefined, undefined],
    ['+1 555 0100;ext=2', undefined, undefined],
    [undefined, undefined, undefined],
  ])('telHref(%p, %p) → %p', (phone, e164, href) => {
    expect(telHref(phone, e164)).toBe(href);
  });

  test.each([
    [0, '0 min'],
    [-5 * HOUR, '0 min'],
    [59 * 60_000, '59 min'],
    [HOUR, '1 h'],
    [5 * HOUR + 12 * 60_000, '5 h 12 min'],
    [24 * HOUR, '1 d'],
    [27 * HOUR + 59 * 60_000, '1 d 3 h'],
  ])('formatWait(%p) → %p', (ms, text) => {
    expect(formatWait(ms)).toBe(text);
  });
});
