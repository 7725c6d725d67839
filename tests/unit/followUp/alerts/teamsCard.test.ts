import {
  alertCard,
  alertDigestCard,
  CARD_ACTIONS,
  CARD_LEADS,
  type CardElement,
  teamsPayload,
} from '../../../../shared/followUp/alerts/teamsCard';
import { alertMessage, HOSTILE } from './alertFixtures';

/** Every element of a card body, depth first. */
function elements(body: readonly CardElement[]): CardElement[] {
  return body.flatMap((e) => [e, ...(e.type === 'Container' ? elements(e.items) : [])]);
}

/** The text a reader sees, TextBlocks (Markdown) and TextRuns (plain) apart. */
function texts(body: readonly CardElement[]): { markdown: string[]; plain: string[] } {
  const all = elements(body);
  return {
    markdown: all.flatMap((e) => (e.type === 'TextBlock' ? [e.text] : [])),
    plain: all.flatMap((e) => (e.type === 'RichTextBlock' ? e.inlines.map((i) => i.text) : [])),
  };
}

describe('alertCard', () => {
  const card = alertCard(
    alertMessage({ accountLine: '3rd person from fabrikam.com this week' }),
    'sam@contoso.example',
  );

  test('is an Adaptive Card 1.4 for Teams, with a Mark-as-contacted OpenUrl action', () => {
    expect(card).toMatchObject({
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.4',
      msteams: { width: 'Full' },
    });
    expect(card.actions).toEqual([
      {
        type: 'Action.OpenUrl',
        title: 'Mark as contacted',
        url: 'https://leads.example.com/api/leads/01HZX3V6Q8W4M2K9T7R5N3B1CD/contact?token=1714737600.abc',
        style: 'positive',
      },
    ]);
  });

  test('says who, company, offer, stage, the account line, the owner and the actions so far', () => {
    const { markdown, plain } = texts(card.body);
    expect(markdown).toContain('New lead: Trial');
    expect(plain).toEqual(
      expect.arrayContaining([
        'Ada Lovelace',
        '3rd person from fabrikam.com this week',
        'sam@contoso.example',
        'Analytical Engines',
        'Ledger Cloud (ledger-cloud)',
        'ada@analytical.example',
        '2024-05-01 09:00 UTC  PLT via AppSource (interest)',
      ]),
    );
  });

  test('customer data never lands in Markdown text, and stays on one line', () => {
    const hostile = alertCard(alertMessage(HOSTILE));
    const { markdown, plain } = texts(hostile.body);
    for (const text of markdown) {
      for (const value of ['script', 'Bold', 'Pay here', 'Acme', 'evil', 'Bcc', 'Secret']) {
        expect(text).not.toContain(value);
      }
    }
    expect(plain).toContain('<script>alert(1)</script> **Bold** [Pay here](https://evil.example)');
    expect(plain.every((t) => !/[\r\n\u2028\u2029]/.test(t))).toBe(true);
  });

  test('a stage rise says from where to where', () => {
    const raised = alertCard(alertMessage({ reason: 'stageRaised', stage: 'active', previousStage: 'interest' }));
    expect(texts(raised.body).markdown).toContain('Lead moved up: Interest → Active customer');
  });

  test('a contact URL that is not plain http(s) makes no action', () => {
    expect(alertCard(alertMessage({ contactUrl: 'javascript:alert(1)' })).actions).toBeUndefined();
  });

  test(`a long history shows the latest ${CARD_ACTIONS} actions and says how many more the email has`, () => {
    const actions = Array.from({ length: CARD_ACTIONS + 3 }, (_, i) => ({
      at: new Date(Date.UTC(2024, 4, 1, i)),
      source: 'AppSource',
      action: `A${i}`,
      stage: 'interest',
    }));
    const { markdown, plain } = texts(alertCard(alertMessage({ actions })).body);
    expect(plain.filter((t) => t.includes(' via AppSource'))).toHaveLength(CARD_ACTIONS);
    expect(plain.some((t) => t.includes('A0 via'))).toBe(false);
    expect(plain.some((t) => t.includes(`A${CARD_ACTIONS + 2} via`))).toBe(true);
    expect(markdown).toContain('3 earlier, in the email');
  });
});

describe('teamsPayload', () => {
  const card = alertCard(alertMessage());

  test('message: the envelope with one Adaptive Card attachment', () => {
    expect(teamsPayload(card, 'message')).toEqual({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }],
    });
  });

  test('card: the bare card', () => {
    expect(teamsPayload(card, 'card')).toBe(card);
  });
});

describe('alertDigestCard', () => {
  test('one card for the burst: each lead in its own section with its own link, most valuable first', () => {
    const digest = alertDigestCard(
      [
        alertMessage({ alertId: 'A1', leadId: 'INTEREST', stage: 'interest' }),
        alertMessage({ alertId: 'A2', leadId: 'ACTIVE', stage: 'active' }),
      ],
      5,
      'sam@contoso.example',
    );
    const sections = digest.body.filter((e) => e.type === 'Container');
    const links = sections.map((s) =>
      s.type === 'Container'
        ? s.items.flatMap((i) => (i.type === 'ActionSet' ? i.actions.map((a) => new URL(a.url).pathname) : []))
        : [],
    );
    expect(links).toEqual([['/api/leads/ACTIVE/contact'], ['/api/leads/INTEREST/contact']]);
    expect(texts(digest.body).markdown[0]).toBe('2 more marketplace leads: contact them now');
  });

  test(`a burst of 300 lists ${CARD_LEADS} and stays well under the 28 KB Teams takes`, () => {
    const alerts = Array.from({ length: 300 }, (_, i) =>
      alertMessage({ alertId: `A${i}`, leadId: `L${i}`, at: new Date(Date.UTC(2024, 4, 3, 12, 0, 0, i * 100)) }),
    );
    const digest = alertDigestCard(alerts, 5);
    expect(digest.body.filter((e) => e.type === 'Container')).toHaveLength(CARD_LEADS);
    expect(texts(digest.body).markdown).toContain(`…and ${300 - CARD_LEADS} more, listed in the email.`);
    expect(Buffer.byteLength(JSON.stringify(teamsPayload(digest, 'message')))).toBeLessThan(28 * 1024);
  });

  test('refuses an empty digest', () => {
    expect(() => alertDigestCard([], 5)).toThrow(RangeError);
  });
});
