import { canonicalLead } from '../../../shared/marketplace/canonicalLead';
import type { CanonicalLead } from '../../../shared/marketplace/types';

const JAN = {
  FirstName: 'Jan',
  LastName: 'Kowalski',
  Email: 'jan@fabrikam.example',
  Phone: '48600100200',
  Country: 'PL',
  Company: 'Fabrikam',
  Title: 'IT Director',
};

const JAN_CANONICAL: CanonicalLead = {
  userDetails: {
    firstName: 'Jan',
    lastName: 'Kowalski',
    email: 'jan@fabrikam.example',
    phone: '48600100200',
    country: 'PL',
    company: 'Fabrikam',
    title: 'IT Director',
  },
  leadSource: 'AzureMarketplace-INS|fabrikamsoft.ledger-cloud',
  actionCode: 'INS',
  offerTitle: 'Ledger Cloud',
  description: 'Campaigns: ',
  extra: {},
  recognised: true,
};

/** Rewrites every key of a two-level payload, to prove casing does not matter at either level. */
function withKeys(payload: Record<string, unknown>, rename: (key: string) => string): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(payload).map(([key, value]) => [
      rename(key),
      typeof value === 'object' && value !== null ? withKeys(value as Record<string, unknown>, rename) : value,
    ]),
  );
}

const documented: Record<string, unknown> = {
  UserDetails: JAN,
  LeadSource: 'AzureMarketplace-INS|fabrikamsoft.ledger-cloud',
  ActionCode: 'INS',
  OfferTitle: 'Ledger Cloud',
  Description: 'Campaigns: ',
};

describe('canonicalLead key casing', () => {
  test.each([
    ['documented PascalCase', (key: string) => key],
    ['camelCase (the FAQ spelling)', (key: string) => key.charAt(0).toLowerCase() + key.slice(1)],
    ['UPPERCASE', (key: string) => key.toUpperCase()],
    ['lowercase', (key: string) => key.toLowerCase()],
  ])('matches %s keys at both levels', (_name, rename) => {
    expect(canonicalLead(withKeys(documented, rename))).toEqual(JAN_CANONICAL);
  });
});

describe('canonicalLead coercion', () => {
  test('a phone sent as a number is still a phone', () => {
    expect(canonicalLead({ UserDetails: { Phone: 16175555555 } }).userDetails.phone).toBe('16175555555');
  });

  test('numbers and booleans become strings in every documented leaf', () => {
    const lead = canonicalLead({ UserDetails: { Company: 3, Title: true }, ActionCode: 0, OfferTitle: false });
    expect(lead.userDetails).toEqual({ company: '3', title: 'true' });
    expect(lead.actionCode).toBe('0');
    expect(lead.offerTitle).toBe('false');
  });

  test('a bigint from a custom parser is coerced, not thrown on', () => {
    expect(canonicalLead({ UserDetails: { Phone: 16175555555n } }).userDetails.phone).toBe('16175555555');
  });

  test('strings are kept verbatim: no trimming or case change (that is the matcher’s job)', () => {
    const lead = canonicalLead({ UserDetails: { Email: ' JAN@Fabrikam.example ' }, Description: ' ' });
    expect(lead.userDetails.email).toBe(' JAN@Fabrikam.example ');
    expect(lead.description).toBe(' ');
  });

  test('Description sent as an object of campaign parameters becomes its JSON text', () => {
    const lead = canonicalLead({ Description: { mktcmpid: 'spring', partnerid: '42' } });
    expect(JSON.parse(lead.description ?? '')).toEqual({ mktcmpid: 'spring', partnerid: '42' });
    expect(lead.recognised).toBe(true);
  });
});

describe('canonicalLead unknown fields', () => {
  test('unknown top-level fields are kept verbatim under their original key', () => {
    const offer = { id: 'fabrikamsoft.ledger-cloud', plan: ['basic'] };
    const lead = canonicalLead({ OfferTitle: 'Ledger Cloud', offerID: offer, Priority: 2 });
    expect(lead.extra).toEqual({ offerID: offer, Priority: 2 });
  });

  test('unknown UserDetails keys are kept as extra["UserDetails.<key>"]', () => {
    const lead = canonicalLead({ userDetails: { Email: 'a@b.example', Foo: 'bar', linkedIn: { url: 'x' } } });
    expect(lead.userDetails).toEqual({ email: 'a@b.example' });
    expect(lead.extra).toEqual({ 'UserDetails.Foo': 'bar', 'UserDetails.linkedIn': { url: 'x' } });
  });

  test('a `__proto__` key is kept as an ordinary field and does not change any prototype', () => {
    const payload = JSON.parse('{"__proto__":{"polluted":true},"LeadSource":"AzureMarketplace"}') as Record<
      string,
      unknown
    >;
    const lead = canonicalLead(payload);
    expect(Object.getPrototypeOf(lead.extra)).toBe(Object.prototype);
    expect(Object.keys(lead.extra)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  test('keys named like Object.prototype members are unknown fields, not documented ones', () => {
    const lead = canonicalLead({ constructor: 'x', toString: 'y', UserDetails: { hasOwnProperty: 'z' } });
    expect(lead.recognised).toBe(false);
    expect(lead.extra).toEqual({ constructor: 'x', toString: 'y', 'UserDetails.hasOwnProperty': 'z' });
  });
});

describe('canonicalLead recognised', () => {
  test.each<[string, Record<string, unknown>]>([
    ['an empty object', {}],
    ['only unknown fields', { hello: 'world', zen: 1 }],
    ['an empty UserDetails', { UserDetails: {} }],
    ['a UserDetails with only unknown keys', { UserDetails: { Nickname: 'J' } }],
    ['documented fields that are all null', { UserDetails: { Email: null }, LeadSource: null }],
    ['a UserDetails that is not an object', { UserDetails: 'Jan Kowalski' }],
  ])('is false for %s', (_name, payload) => {
    expect(canonicalLead(payload).recognised).toBe(false);
  });

  test.each<[string, Record<string, unknown>]>([
    ['UserDetails.Country alone', { UserDetails: { Country: 'DE' } }],
    ['an empty UserDetails.Email', { UserDetails: { Email: '' } }],
    ['LeadSource', { LeadSource: 'AzureMarketplace' }],
    ['ActionCode', { ActionCode: 'INS' }],
    ['OfferTitle', { OfferTitle: 'Ledger Cloud' }],
    ['an empty Description', { Description: '' }],
  ])('is true with %s', (_name, payload) => {
    expect(canonicalLead(payload).recognised).toBe(true);
  });
});

describe('canonicalLead null and duplicates', () => {
  test('null values are treated as absent, not as fields or extras', () => {
    const lead = canonicalLead({ UserDetails: { Email: null, Phone: '1' }, Description: null, Foo: null });
    expect(lead).toEqual({ userDetails: { phone: '1' }, extra: {}, recognised: true });
  });

  test('a null under one casing does not hide a value under another', () => {
    expect(canonicalLead({ UserDetails: { Email: null, email: 'a@b.example' } }).userDetails.email).toBe('a@b.example');
  });

  test('the first of two casings wins and the other is kept in extra', () => {
    const lead = canonicalLead({ UserDetails: { Email: 'first@x.example', EMAIL: 'second@x.example' } });
    expect(lead.userDetails.email).toBe('first@x.example');
    expect(lead.extra).toEqual({ 'UserDetails.EMAIL': 'second@x.example' });
  });

  test('a second UserDetails under another casing is kept in extra', () => {
    const lead = canonicalLead({ UserDetails: { Email: 'a@x.example' }, userdetails: { Email: 'b@x.example' } });
    expect(lead.userDetails.email).toBe('a@x.example');
    expect(lead.extra).toEqual({ userdetails: { Email: 'b@x.example' } });
  });
});

describe('canonicalLead never throws on an object', () => {
  const circular: Record<string, unknown> = { mktcmpid: 'x' };
  circular['self'] = circular;

  test.each<[string, unknown]>([
    ['an array', [1, 2]],
    ['null', null],
    ['a string', 'lead'],
    ['an object without prototype', Object.assign(Object.create(null) as object, { LeadSource: 'x' })],
    ['an object where a string belongs', { UserDetails: { Email: { address: 'a@b.example' } }, OfferTitle: [1] }],
    ['a circular Description', { Description: circular }],
    ['a Description holding a BigInt', { Description: { n: 1n } }],
    ['a UserDetails array', { UserDetails: [{ Email: 'a@b.example' }] }],
  ])('%s', (_name, payload) => {
    expect(() => canonicalLead(payload as Record<string, unknown>)).not.toThrow();
  });

  test('values that are not text go to extra under their original path', () => {
    const lead = canonicalLead({
      UserDetails: { email: { address: 'a@b.example' } },
      OfferTitle: [1],
      Description: circular,
    });
    expect(lead.userDetails).toEqual({});
    expect(lead.offerTitle).toBeUndefined();
    expect(lead.extra).toEqual({
      'UserDetails.email': { address: 'a@b.example' },
      OfferTitle: [1],
      Description: circular,
    });
    expect(lead.recognised).toBe(false);
  });

  test('a UserDetails that is not an object is kept in extra under its original key', () => {
    expect(canonicalLead({ userDetails: 'Jan' }).extra).toEqual({ userDetails: 'Jan' });
  });

  test('the payload is not modified', () => {
    const payload = { userDetails: { PHONE: 1617, Foo: 'x' }, Bar: null };
    const copy = structuredClone(payload);
    canonicalLead(payload);
    expect(payload).toEqual(copy);
  });
});
