import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseLeadSource } from '../../../shared/marketplace/leadSource';
import { normalisePerson } from '../../../shared/marketplace/normalise';
import type { LeadUserDetails } from '../../../shared/marketplace/types';
import {
  type CustomerIdentity,
  customerIdentity,
  foldCompany,
  foldName,
  hashKey,
  offerIdentity,
  UNKNOWN_OFFER,
} from '../../../shared/record/identity';

interface SampleLead {
  details: LeadUserDetails;
  leadSource?: string;
  actionCode?: string;
  offerTitle?: string;
}

/**
 * Reads a sample with case-insensitive keys (journey-3 writes `userDetails`/`email`), by hand rather than
 * through canonicalLead, so these tests pin the identity rules and nothing else.
 */
function loadSample(name: string): SampleLead {
  const body = JSON.parse(readFileSync(join(__dirname, '../../../samples', name), 'utf8')) as Record<string, unknown>;
  const get = (obj: Record<string, unknown>, key: string): unknown =>
    Object.entries(obj).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
  const str = (obj: Record<string, unknown>, key: string): string | undefined => {
    const v = get(obj, key);
    return typeof v === 'string' ? v : undefined;
  };
  const ud = (get(body, 'UserDetails') ?? {}) as Record<string, unknown>;
  return {
    details: {
      firstName: str(ud, 'FirstName'),
      lastName: str(ud, 'LastName'),
      email: str(ud, 'Email'),
      phone: str(ud, 'Phone'),
      country: str(ud, 'Country'),
      company: str(ud, 'Company'),
      title: str(ud, 'Title'),
    },
    leadSource: str(body, 'LeadSource'),
    actionCode: str(body, 'ActionCode'),
    offerTitle: str(body, 'OfferTitle'),
  };
}

function identitiesOf(name: string): { customer: CustomerIdentity; offer: string } {
  const s = loadSample(name);
  const parsed = parseLeadSource(s.leadSource, s.actionCode, s.offerTitle);
  return { customer: customerIdentity(normalisePerson(s.details)), offer: offerIdentity(parsed, s.offerTitle) };
}

const JOURNEY = ['journey-1-contact-me.json', 'journey-2-test-drive.json', 'journey-3-get-it-now.json'];

describe('journey samples: one customer × one offer', () => {
  test.each(JOURNEY)('%s', (name) => {
    expect(identitiesOf(name)).toEqual({
      customer: { kind: 'email', key: 'email:jan.kowalski@fabrikam.example' },
      offer: 'fabrikamsoft.ledger-cloud',
    });
  });

  test('without emails, the journey still matches by phone where it has one', () => {
    const keys = JOURNEY.map((name) => loadSample(name).details)
      .filter((d) => d.phone !== '')
      .map((d) => customerIdentity(normalisePerson({ ...d, email: undefined })));
    expect(keys).toEqual([
      { kind: 'phone', key: 'phone:+48600100200' },
      { kind: 'phone', key: 'phone:+48600100200' },
    ]);
  });

  test('without emails or phones, by name + company ("sp. z o.o." ignored)', () => {
    const keys = JOURNEY.map((name) => loadSample(name).details).map((d) =>
      customerIdentity(normalisePerson({ ...d, email: undefined, phone: undefined })),
    );
    for (const k of keys) expect(k).toEqual({ kind: 'nameCompany', key: 'name:jan|kowalski|fabrikam' });
  });
});

describe('other samples', () => {
  const cases: [string, CustomerIdentity, string][] = [
    ['https-example.json', { kind: 'email', key: 'email:someone@contoso.com' }, 'test microsoft'],
    [
      'portal-create.json',
      { kind: 'email', key: 'email:mei.chen@contoso.example' },
      'checkpoint.check-point-r77-10sg-byol',
    ],
    ['do-not-contact.json', { kind: 'email', key: 'email:ana.silva@tailspin.example' }, 'bitnami.openedxcypress'],
    ['edu-no-personal-data.json', { kind: 'none' }, 'docusign.3701c77e-1cfa-4c56-91e6-3ed0b622145'],
    ['test-lead.json', { kind: 'email', key: 'email:msft_test_636573304831318844@test.com' }, 'contoso test'],
  ];
  test.each(cases)('%s', (name, customer, offer) => {
    expect(identitiesOf(name)).toEqual({ customer, offer });
  });

  test('different offers → different offer identities', () => {
    const offers = [
      'journey-1-contact-me.json',
      'https-example.json',
      'portal-create.json',
      'do-not-contact.json',
      'edu-no-personal-data.json',
      'test-lead.json',
    ].map((n) => identitiesOf(n).offer);
    expect(new Set(offers).size).toBe(offers.length);
  });
});

describe('customerIdentity', () => {
  const cases: [string, LeadUserDetails, CustomerIdentity][] = [
    [
      'email wins over everything',
      { email: 'A@B.example', phone: '+48600100200', lastName: 'K', company: 'C' },
      { kind: 'email', key: 'email:a@b.example' },
    ],
    [
      'invalid email falls through to phone',
      { email: 'not-an-email', phone: '+48600100200' },
      { kind: 'phone', key: 'phone:+48600100200' },
    ],
    [
      'unparseable phone falls through to name',
      { phone: '1234567890', country: 'US', lastName: 'Kowalski', company: 'Fabrikam' },
      { kind: 'nameCompany', key: 'name:|kowalski|fabrikam' },
    ],
    [
      'last name + company',
      { lastName: 'Kowalski', company: 'Fabrikam' },
      { kind: 'nameCompany', key: 'name:|kowalski|fabrikam' },
    ],
    [
      'first + last + company',
      { firstName: 'Jan', lastName: 'Kowalski', company: 'Fabrikam' },
      { kind: 'nameCompany', key: 'name:jan|kowalski|fabrikam' },
    ],
    [
      'accents and case folded',
      { firstName: 'ŁUKASZ', lastName: 'Żółć', company: 'Café Øresund GmbH' },
      { kind: 'nameCompany', key: 'name:lukasz|zolc|cafe oresund' },
    ],
    [
      'punctuation and spacing folded',
      { firstName: 'Jean-Luc', lastName: "O'Neil", company: 'Contoso,  Inc.' },
      { kind: 'nameCompany', key: 'name:jean luc|o neil|contoso' },
    ],
    ['first + last without company: no match', { firstName: 'Jan', lastName: 'Kowalski' }, { kind: 'none' }],
    ['company only: no match', { company: 'Fabrikam' }, { kind: 'none' }],
    ['first name + company: no match', { firstName: 'Jan', company: 'Fabrikam' }, { kind: 'none' }],
    [
      'company that is only a legal form is kept',
      { lastName: 'Kowalski', company: 'AG' },
      { kind: 'nameCompany', key: 'name:|kowalski|ag' },
    ],
    ['nothing', {}, { kind: 'none' }],
  ];
  test.each(cases)('%s', (_name, details, expected) => {
    expect(customerIdentity(normalisePerson(details))).toEqual(expected);
  });

  test('different people at one firm stay apart', () => {
    const jan = customerIdentity(normalisePerson({ firstName: 'Jan', lastName: 'Kowalski', company: 'Fabrikam' }));
    const anna = customerIdentity(normalisePerson({ firstName: 'Anna', lastName: 'Kowalski', company: 'Fabrikam' }));
    expect(jan.key).not.toBe(anna.key);
  });

  test('kinds cannot collide', () => {
    const byPhone = customerIdentity(normalisePerson({ phone: '+48600100200' }));
    const byEmail = customerIdentity(normalisePerson({ email: '+48600100200@x.example' }));
    expect(byPhone.key).not.toBe(byEmail.key);
  });
});

describe('foldName / foldCompany', () => {
  test.each([
    ['José', 'jose'],
    ['Jose\u0301', 'jose'],
    ['  MÜLLER ', 'muller'],
    ['Straße', 'strasse'],
    ['王小明', '王小明'],
  ])('foldName %p → %p', (input, expected) => expect(foldName(input)).toBe(expected));

  test.each([
    ['Fabrikam sp. z o.o.', 'fabrikam'],
    ['Fabrikam Sp. z o. o.', 'fabrikam'],
    ['Contoso Ltd', 'contoso'],
    ['Contoso Pty Ltd', 'contoso'],
    ['Contoso, Inc.', 'contoso'],
    ['Contoso GmbH & Co. KG', 'contoso'],
    ['Acme Company Limited', 'acme'],
    ['Inc', 'inc'],
    ['Contoso Labs', 'contoso labs'],
  ])('foldCompany %p → %p', (input, expected) => expect(foldCompany(input)).toBe(expected));
});

describe('offerIdentity', () => {
  const cases: [string | undefined, string | undefined, string][] = [
    ['AzureMarketplace-INS|fabrikamsoft.ledger-cloud', 'Ledger Cloud', 'fabrikamsoft.ledger-cloud'],
    ['AzureMarketplace-INS|FabrikamSoft.Ledger-Cloud', 'Ledger Cloud', 'fabrikamsoft.ledger-cloud'],
    ['AzureMarketplace', 'Ledger Cloud', 'ledger cloud'],
    ['AzureMarketplace', '  LEDGER   Cloud ', 'ledger cloud'],
    ['MSFT_TEST_1-MSFT_TEST_1|Contoso Test', undefined, 'contoso test'],
    ['AzureMarketplace', '', UNKNOWN_OFFER],
    [undefined, undefined, UNKNOWN_OFFER],
    ['|', '   ', UNKNOWN_OFFER],
  ];
  test.each(cases)('%p with title %p → %p', (leadSource, title, expected) => {
    expect(offerIdentity(parseLeadSource(leadSource, undefined, title), title)).toBe(expected);
  });

  test('title argument wins over the parsed title', () => {
    expect(offerIdentity(parseLeadSource('AzureMarketplace', 'INS', 'Old'), 'New')).toBe('new');
    expect(offerIdentity(parseLeadSource('AzureMarketplace', 'INS', 'Old'))).toBe('old');
  });

  test('different offers differ, same offer with different casing does not', () => {
    const a = offerIdentity(parseLeadSource('AzureMarketplace-INS|fabrikamsoft.ledger-cloud', undefined, undefined));
    const b = offerIdentity(parseLeadSource('AzureMarketplace-INS|fabrikamsoft.ledger-onprem', undefined, undefined));
    const c = offerIdentity(parseLeadSource('AzureMarketplace-INS|otherpub.ledger-cloud', undefined, undefined));
    const d = offerIdentity(parseLeadSource('AppSource (SPZA)-PLT|FABRIKAMSOFT.LEDGER-CLOUD', undefined, undefined));
    expect(new Set([a, b, c]).size).toBe(3);
    expect(d).toBe(a);
  });
});

describe('hashKey', () => {
  test('hex SHA-256', () => {
    expect(hashKey('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hashKey('email:jan.kowalski@fabrikam.example')).toMatch(/^[0-9a-f]{64}$/);
  });
  test('does not leak the input and differs per input', () => {
    const h = hashKey('email:jan.kowalski@fabrikam.example');
    expect(h).not.toContain('jan');
    expect(hashKey('email:jan.kowalski@fabrikam.example ')).not.toBe(h);
  });
  test('UTF-8', () => {
    expect(hashKey('é')).not.toBe(hashKey('e\u0301')); // callers normalise first; hashing does not
  });
});
