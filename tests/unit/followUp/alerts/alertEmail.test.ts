import { renderAlertDigestEmail, renderAlertEmail } from '../../../../shared/followUp/alerts/alertEmail';
import { alertMessage, HOSTILE } from './alertFixtures';

describe('renderAlertEmail', () => {
  test('a new lead: subject names only the stage, both parts carry who, company, offer, actions and the link', () => {
    const out = renderAlertEmail(alertMessage());
    expect(out.subject).toBe('New marketplace lead (Trial): contact them now');
    for (const part of [out.text, out.html]) {
      expect(part).toContain('Ada Lovelace');
      expect(part).toContain('Analytical Engines');
      expect(part).toContain('Ledger Cloud (ledger-cloud)');
      expect(part).toContain('Trial');
      expect(part).toContain('2024-05-03 12:00 UTC');
      const first = part.indexOf('2024-05-01 09:00 UTC');
      expect(first).toBeGreaterThanOrEqual(0);
      expect(part.indexOf('PLT via AppSource (interest)')).toBeGreaterThan(first);
      expect(part).toContain('Trial via AzureMarketplace (trial)');
    }
    expect(out.text).toContain(
      'Mark as contacted: https://leads.example.com/api/leads/01HZX3V6Q8W4M2K9T7R5N3B1CD/contact?token=1714737600.abc',
    );
    expect(out.html).toContain(
      'href="https://leads.example.com/api/leads/01HZX3V6Q8W4M2K9T7R5N3B1CD/contact?token=1714737600.abc"',
    );
    expect(out.html).toContain('href="mailto:ada@analytical.example"');
    expect(out.html).toContain('href="tel:+442079460000"');
  });

  test('a stage rise says from where to where', () => {
    const out = renderAlertEmail(alertMessage({ reason: 'stageRaised', stage: 'active', previousStage: 'trial' }));
    expect(out.subject).toBe('Marketplace lead moved up to Active customer: contact them now');
    expect(out.text).toContain('Trial → Active customer');
    expect(out.html).toContain('Trial → Active customer');
  });

  test('the account line, when the caller supplies one, is shown as given', () => {
    const out = renderAlertEmail(alertMessage({ accountLine: '3rd person from fabrikam.com this week' }));
    expect(out.text).toContain('3rd person from fabrikam.com this week');
    expect(out.html).toContain('3rd person from fabrikam.com this week');
    expect(renderAlertEmail(alertMessage()).html).not.toContain('Account');
  });

  describe('with hostile customer data', () => {
    const out = renderAlertEmail(alertMessage(HOSTILE));

    test('the subject holds none of it, and no line break', () => {
      expect(out.subject).not.toMatch(/[\r\n]/);
      for (const value of ['script', 'Bold', 'Acme', 'evil', 'Bcc', 'Secret', 'US']) {
        expect(out.subject).not.toContain(value);
      }
    });

    test('html escapes markup and quotes, and links nothing that could break out', () => {
      expect(out.html).not.toContain('<script>');
      expect(out.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(out.html).toContain('Acme &quot;Rockets&quot; &amp; &lt;Co&gt;');
      expect(out.html).not.toContain('mailto:');
      expect(out.html).not.toContain('tel:');
      expect(out.html).not.toContain('href="https://evil.example');
    });

    test('line breaks cannot fake a field or a second link in the text part', () => {
      expect(out.text).toContain('Title: CTO Bcc: all@example.com');
      expect(out.text).toContain('Offer: Offer Secret');
      expect(out.text).toContain('3rd person from evil.example Subject: hi');
      const links = out.text.split('\n').filter((l) => l.trimStart().startsWith('Mark as contacted:'));
      expect(links).toHaveLength(1);
      expect(out.text.split('\n').filter((l) => /^\s*Subject:/.test(l))).toHaveLength(0);
    });
  });

  test('a contact URL that is not plain http(s) is not shown or linked', () => {
    const out = renderAlertEmail(alertMessage({ contactUrl: 'javascript:alert(1)' }));
    expect(out.html).not.toContain('javascript:');
    expect(out.text).not.toContain('javascript:');
  });
});

describe('renderAlertDigestEmail', () => {
  const alerts = [
    alertMessage({ alertId: 'A1', leadId: 'INTEREST', stage: 'interest', at: new Date('2024-05-03T12:00:01Z') }),
    alertMessage({ alertId: 'A2', leadId: 'ACTIVE', stage: 'active', at: new Date('2024-05-03T12:00:05Z') }),
    alertMessage({ alertId: 'A3', leadId: 'TRIAL', stage: 'trial', at: new Date('2024-05-03T12:00:02Z') }),
  ];

  test('one message for the burst: the count and the reason, every lead with its own link, most valuable first', () => {
    const out = renderAlertDigestEmail(alerts, 5);
    expect(out.subject).toBe('3 more marketplace leads for you: contact them now');
    expect(out.text).toContain('More than 5 alerts came for you within a minute');
    for (const part of [out.text, out.html]) {
      const order = ['ACTIVE', 'TRIAL', 'INTEREST'].map((id) => part.indexOf(`/api/leads/${id}/contact`));
      expect(order.every((p) => p >= 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
    }
  });

  test('singular for one, and refuses none', () => {
    expect(renderAlertDigestEmail([alertMessage()], 5).subject).toBe(
      '1 more marketplace lead for you: contact them now',
    );
    expect(() => renderAlertDigestEmail([], 5)).toThrow(RangeError);
  });
});
