import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import Ajv from 'ajv';

import type { FieldProblem } from '../../../shared/http/problems';
import type { CanonicalLead } from '../../../shared/marketplace/types';
import {
  addMaxDepth,
  LEAD_SCHEMA_OPTIONS,
  type LeadBodyResult,
  leadSchema,
  MAX_BODY_BYTES,
  validateLeadBody,
} from '../../../shared/receive/validateLeadBody';

const SAMPLES_DIR = join(__dirname, '..', '..', '..', 'samples');

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

function text(value: string): Buffer {
  return Buffer.from(value, 'utf8');
}

/** An object nested `levels` deep: nested(1) is `{}`, nested(2) is `{"a":{}}`. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let level = 1; level < levels; level++) value = { a: value };
  return value;
}

function accepted(result: LeadBodyResult): { text: string; lead: CanonicalLead } {
  if (!result.ok) throw new Error(`expected acceptance, got ${result.status}: ${JSON.stringify(result.problems)}`);
  return result;
}

function rejected(result: LeadBodyResult): { status: number; problems: FieldProblem[] } {
  if (result.ok) throw new Error('expected rejection, got acceptance');
  return result;
}

const long = (chars: number): string => 'x'.repeat(chars);

interface BadCase {
  rule: string;
  field: string;
  status: 400 | 413;
  why: string;
  body: Buffer;
}

const SHORT_USER_FIELDS = ['FirstName', 'LastName', 'Email', 'Phone', 'Country', 'Company', 'Title'];
const SHORT_TOP_FIELDS = ['LeadSource', 'ActionCode', 'OfferTitle'];

const badCases: BadCase[] = [
  // The body as a whole.
  {
    rule: 'maxBytes',
    field: 'body',
    status: 413,
    why: '32 KiB + 1 byte',
    body: Buffer.alloc(MAX_BODY_BYTES + 1, 0x20),
  },
  {
    rule: 'maxBytes',
    field: 'body',
    status: 413,
    why: 'not JSON but too large (size is checked first)',
    body: Buffer.alloc(MAX_BODY_BYTES * 4, 0xff),
  },
  { rule: 'empty', field: 'body', status: 400, why: 'zero bytes', body: Buffer.alloc(0) },
  { rule: 'empty', field: 'body', status: 400, why: 'only whitespace', body: text(' \r\n\t ') },
  { rule: 'empty', field: 'body', status: 400, why: 'only a UTF-8 BOM', body: Buffer.from([0xef, 0xbb, 0xbf]) },
  { rule: 'utf8', field: 'body', status: 400, why: 'a 0xFF byte', body: Buffer.from([0x7b, 0xff, 0x7d]) },
  {
    rule: 'utf8',
    field: 'body',
    status: 400,
    why: 'a truncated multi-byte sequence',
    body: Buffer.concat([text('{"FirstName":"'), Buffer.from([0xe2, 0x82]), text('"}')]),
  },
  {
    rule: 'utf8',
    field: 'body',
    status: 400,
    why: 'an overlong encoding of "/"',
    body: Buffer.from([0x7b, 0xc0, 0xaf, 0x7d]),
  },
  {
    rule: 'utf8',
    field: 'body',
    status: 400,
    why: 'a Latin-1 "ł" typed by a customer',
    body: Buffer.concat([text('{"UserDetails":{"LastName":"Wa'), Buffer.from([0xb3]), text('"}}')]),
  },
  {
    rule: 'utf8',
    field: 'body',
    status: 400,
    why: 'UTF-16LE with its BOM',
    body: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"LeadSource":"x"}', 'utf16le')]),
  },
  { rule: 'json', field: 'body', status: 400, why: 'plain text', body: text('hello') },
  { rule: 'json', field: 'body', status: 400, why: 'truncated JSON', body: text('{"UserDetails":') },
  {
    rule: 'json',
    field: 'body',
    status: 400,
    why: 'a trailing comma',
    body: text('{"LeadSource":"AzureMarketplace",}'),
  },
  {
    rule: 'json',
    field: 'body',
    status: 400,
    why: 'a form-encoded body',
    body: text('FirstName=Jan&LastName=Kowalski'),
  },
  { rule: 'json', field: 'body', status: 400, why: 'single-quoted keys', body: text("{'LeadSource':'x'}") },
  { rule: 'type', field: 'body', status: 400, why: 'an array of leads', body: json([{ LeadSource: 'x' }]) },
  { rule: 'type', field: 'body', status: 400, why: 'a JSON string', body: json('{"LeadSource":"x"}') },
  { rule: 'type', field: 'body', status: 400, why: 'a JSON number', body: text('42') },
  { rule: 'type', field: 'body', status: 400, why: 'JSON null', body: text('null') },
  { rule: 'type', field: 'body', status: 400, why: 'JSON true', body: text('true') },
  // UserDetails itself.
  { rule: 'type', field: 'UserDetails', status: 400, why: 'a string', body: json({ UserDetails: 'Jan Kowalski' }) },
  {
    rule: 'type',
    field: 'UserDetails',
    status: 400,
    why: 'an array',
    body: json({ UserDetails: [{ Email: 'a@b.example' }] }),
  },
  { rule: 'type', field: 'UserDetails', status: 400, why: 'a number, lowercase key', body: json({ userdetails: 7 }) },
  // Structures where a string belongs.
  {
    rule: 'type',
    field: 'UserDetails.Email',
    status: 400,
    why: 'an object',
    body: json({ UserDetails: { Email: { address: 'a@b.example' } } }),
  },
  {
    rule: 'type',
    field: 'UserDetails.FirstName',
    status: 400,
    why: 'an array',
    body: json({ UserDetails: { FirstName: ['Jan'] } }),
  },
  {
    rule: 'type',
    field: 'UserDetails.Phone',
    status: 400,
    why: 'a nested object, camelCase keys',
    body: json({ userDetails: { phone: { number: { e164: '+48' } } } }),
  },
  {
    rule: 'type',
    field: 'UserDetails.Country',
    status: 400,
    why: 'an empty object',
    body: json({ UserDetails: { Country: {} } }),
  },
  {
    rule: 'type',
    field: 'LeadSource',
    status: 400,
    why: 'an object',
    body: json({ LeadSource: { source: 'AzureMarketplace' } }),
  },
  { rule: 'type', field: 'ActionCode', status: 400, why: 'an array', body: json({ ActionCode: ['INS'] }) },
  {
    rule: 'type',
    field: 'OfferTitle',
    status: 400,
    why: 'an object, uppercase key',
    body: json({ OFFERTITLE: { en: 'Ledger' } }),
  },
  // Generous length limits.
  ...SHORT_USER_FIELDS.map((name) => ({
    rule: 'maxLength',
    field: `UserDetails.${name}`,
    status: 400 as const,
    why: '1025 characters',
    body: json({ UserDetails: { [name]: long(1025) } }),
  })),
  ...SHORT_TOP_FIELDS.map((name) => ({
    rule: 'maxLength',
    field: name,
    status: 400 as const,
    why: '1025 characters',
    body: json({ [name]: long(1025) }),
  })),
  {
    rule: 'maxLength',
    field: 'UserDetails.Email',
    status: 400,
    why: '1025 characters under a lowercase key',
    body: json({ userdetails: { email: long(1025) } }),
  },
  {
    rule: 'maxLength',
    field: 'UserDetails.FirstName',
    status: 400,
    why: '1025 astral characters, counted as characters',
    body: json({ UserDetails: { FirstName: '😀'.repeat(1025) } }),
  },
  {
    rule: 'maxLength',
    field: 'Description',
    status: 400,
    why: '16 KiB + 1 characters',
    body: json({ Description: long(16 * 1024 + 1) }),
  },
  // Nesting.
  {
    rule: 'maxDepth',
    field: 'Foo',
    status: 400,
    why: 'an unknown object 9 levels deep',
    body: json({ Foo: nested(9) }),
  },
  {
    rule: 'maxDepth',
    field: 'Foo',
    status: 400,
    why: 'an unknown array 9 levels deep',
    body: text('{"Foo":[[[[[[[[[1]]]]]]]]]}'),
  },
  {
    rule: 'maxDepth',
    field: 'UserDetails.Foo',
    status: 400,
    why: 'an unknown UserDetails key 9 levels deep',
    body: json({ UserDetails: { Foo: nested(9) } }),
  },
  {
    rule: 'maxDepth',
    field: 'Description',
    status: 400,
    why: 'a Description object 9 levels deep',
    body: json({ Description: nested(9) }),
  },
  {
    rule: 'maxDepth',
    field: 'Bomb',
    status: 400,
    why: 'a 5000-level bomb',
    body: text(`{"Bomb":${'['.repeat(5000)}${']'.repeat(5000)}}`),
  },
  // Ambiguous duplicates.
];

describe('validateLeadBody rejects what cannot be a lead', () => {
  test('there are at least 30 distinct bad payloads', () => {
    expect(new Set(badCases.map((c) => c.body.toString('base64'))).size).toBeGreaterThanOrEqual(30);
  });

  test.each(badCases)('rule $rule on $field: $why → $status', ({ rule, field, status, body }) => {
    const result = rejected(validateLeadBody(body));
    expect(result.status).toBe(status);
    expect(result.problems).toContainEqual(expect.objectContaining({ field, rule }));
    for (const problem of result.problems) expect(problem.message).toMatch(/\S/);
  });

  test('Buffer and Uint8Array bodies are judged alike', () => {
    const bytes = new Uint8Array([0x5b, 0x5d]);
    expect(validateLeadBody(bytes)).toEqual(validateLeadBody(Buffer.from(bytes)));
  });
});

describe('validateLeadBody problem reports', () => {
  test('every problem is reported at once, in documented casing', () => {
    const result = rejected(
      validateLeadBody(json({ userdetails: { EMAIL: long(2000), phone: ['1'] }, description: long(20000) })),
    );
    expect(result.problems.map(({ field, rule }) => ({ field, rule }))).toEqual(
      expect.arrayContaining([
        { field: 'UserDetails.Email', rule: 'maxLength' },
        { field: 'UserDetails.Phone', rule: 'type' },
        { field: 'Description', rule: 'maxLength' },
      ]),
    );
    expect(result.problems).toHaveLength(3);
  });

  test('messages name the field and the limit', () => {
    const [problem] = rejected(validateLeadBody(json({ UserDetails: { Email: long(1025) } }))).problems;
    expect(problem?.message).toBe('UserDetails.Email must be a string of at most 1024 characters');
    const [description] = rejected(validateLeadBody(json({ Description: long(16385) }))).problems;
    expect(description?.message).toBe('Description must be a string of at most 16384 characters');
  });

  test.each<[string, Buffer]>([
    ['maxLength', json({ UserDetails: { Email: `jan.kowalski.private@fabrikam.example${long(1100)}` } })],
    ['type', json({ UserDetails: { Email: { address: 'jan.kowalski.private@fabrikam.example' } } })],
    ['json', text('{"Email":"jan.kowalski.private@fabrikam.example"')],
    ['maxDepth', json({ Secret: { a: { b: { c: { d: { e: { f: { g: { h: { i: 'private' } } } } } } } } } })],
  ])('a %s message never contains the offending value', (_rule, body) => {
    const result = rejected(validateLeadBody(body));
    expect(JSON.stringify(result.problems)).not.toMatch(/private/);
  });

  test('a huge unknown key is shortened in the field name', () => {
    const key = `k${long(5000)}`;
    const [problem] = rejected(validateLeadBody(json({ [key]: nested(9) }))).problems;
    expect(problem?.rule).toBe('maxDepth');
    expect(problem?.field.length).toBeLessThanOrEqual(129);
  });
});

describe('validateLeadBody accepts every documented sample', () => {
  const sampleFiles = readdirSync(SAMPLES_DIR).filter((name) => name.endsWith('.json'));

  test('the documented samples are all there', () => {
    expect(sampleFiles).toEqual(
      expect.arrayContaining([
        'do-not-contact.json',
        'edu-no-personal-data.json',
        'https-example.json',
        'journey-1-contact-me.json',
        'journey-2-test-drive.json',
        'journey-3-get-it-now.json',
        'portal-create.json',
        'test-lead.json',
      ]),
    );
  });

  test.each(sampleFiles)('%s is accepted with every field it carries', (name) => {
    const bytes = readFileSync(join(SAMPLES_DIR, name));
    const { text: body, lead } = accepted(validateLeadBody(bytes));
    expect(body).toBe(bytes.toString('utf8'));
    expect(lead).toEqual(expectedFromSample(JSON.parse(body) as Record<string, unknown>));
    expect(lead.recognised).toBe(true);
  });

  test('the HTTPS example maps field by field', () => {
    const { lead } = accepted(validateLeadBody(readFileSync(join(SAMPLES_DIR, 'https-example.json'))));
    expect(lead).toEqual({
      userDetails: {
        firstName: 'Some',
        lastName: 'One',
        email: 'someone@contoso.com',
        phone: '16175555555',
        country: 'USA',
        company: 'Contoso',
        title: 'Esquire',
      },
      leadSource: 'AzureMarketplace',
      actionCode: 'INS',
      offerTitle: 'Test Microsoft',
      description: 'Test run through Power Automate',
      extra: {},
      recognised: true,
    });
  });

  test('the lowercase-key journey sample (get it now) maps like the documented casing', () => {
    const { lead } = accepted(validateLeadBody(readFileSync(join(SAMPLES_DIR, 'journey-3-get-it-now.json'))));
    expect(lead).toEqual({
      userDetails: {
        firstName: 'Jan',
        lastName: 'Kowalski',
        email: 'JAN.KOWALSKI@FABRIKAM.EXAMPLE',
        phone: '+48600100200',
        country: 'POL',
        company: 'Fabrikam',
        title: 'IT Director',
      },
      leadSource: 'AzureMarketplace-INS|fabrikamsoft.ledger-cloud',
      actionCode: 'INS',
      offerTitle: 'Ledger Cloud',
      description: 'Campaigns: ',
      extra: {},
      recognised: true,
    });
  });

  test('the test lead is accepted with its MSFT_TEST marker intact', () => {
    const { lead } = accepted(validateLeadBody(readFileSync(join(SAMPLES_DIR, 'test-lead.json'))));
    expect(lead.userDetails.email).toBe('MSFT_TEST_636573304831318844@test.com');
    expect(lead.leadSource).toBe('MSFT_TEST_636573304831318844-MSFT_TEST_636573304831318844|Contoso Test');
  });
});

/** An independent, deliberately naive oracle: lowercase every key and read the documented names back. */
function expectedFromSample(sample: Record<string, unknown>): CanonicalLead {
  const top = lowerKeys(sample);
  const user = lowerKeys((top['userdetails'] ?? {}) as Record<string, unknown>);
  const pick = (from: Record<string, unknown>, key: string): Record<string, string> =>
    typeof from[key] === 'string' ? { [key]: from[key] } : {};
  const rename = (from: Record<string, string>, to: string): Record<string, string> =>
    Object.fromEntries(Object.values(from).map((value) => [to, value]));
  return {
    userDetails: {
      ...rename(pick(user, 'firstname'), 'firstName'),
      ...rename(pick(user, 'lastname'), 'lastName'),
      ...pick(user, 'email'),
      ...pick(user, 'phone'),
      ...pick(user, 'country'),
      ...pick(user, 'company'),
      ...pick(user, 'title'),
    },
    ...rename(pick(top, 'leadsource'), 'leadSource'),
    ...rename(pick(top, 'actioncode'), 'actionCode'),
    ...rename(pick(top, 'offertitle'), 'offerTitle'),
    ...pick(top, 'description'),
    extra: {},
    recognised: true,
  };
}

function lowerKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key.toLowerCase(), inner]));
}

describe('validateLeadBody accepts whatever could be a lead', () => {
  test('a phone sent as a number is accepted and becomes text', () => {
    const { lead } = accepted(validateLeadBody(text('{"UserDetails":{"Phone":16175555555},"ActionCode":true}')));
    expect(lead.userDetails.phone).toBe('16175555555');
    expect(lead.actionCode).toBe('true');
  });

  test('unknown fields are accepted and kept, at both levels', () => {
    const { lead } = accepted(
      validateLeadBody(json({ UserDetails: { Email: 'a@b.example', Nickname: 'J' }, OfferId: 'x.y', Plan: { id: 1 } })),
    );
    expect(lead.extra).toEqual({ OfferId: 'x.y', Plan: { id: 1 }, 'UserDetails.Nickname': 'J' });
  });

  test('an object with none of the documented fields is accepted as unrecognised', () => {
    const { lead } = accepted(validateLeadBody(json({ hello: 'world' })));
    expect(lead).toEqual({ userDetails: {}, extra: { hello: 'world' }, recognised: false });
  });

  test('an empty object is accepted as unrecognised', () => {
    expect(accepted(validateLeadBody(text('{}'))).lead.recognised).toBe(false);
  });

  test('null values are treated as absent, even beside another casing', () => {
    const { lead } = accepted(
      validateLeadBody(
        json({ UserDetails: { Email: null, email: 'a@b.example' }, userDetails: null, Description: null }),
      ),
    );
    expect(lead).toEqual({ userDetails: { email: 'a@b.example' }, extra: {}, recognised: true });
  });

  test('an unknown field that differs from another only by case is kept twice, not rejected', () => {
    const { lead } = accepted(validateLeadBody(json({ Foo: 1, foo: 2 })));
    expect(lead.extra).toEqual({ Foo: 1, foo: 2 });
  });

  test('Description as an object of campaign parameters is accepted as its JSON text', () => {
    const { lead } = accepted(validateLeadBody(json({ Description: { mktcmpid: 'spring', partnerid: '42' } })));
    expect(lead.description).toBe('{"mktcmpid":"spring","partnerid":"42"}');
  });

  test('limits are inclusive: 1024-character fields, a 16 KiB Description, 8 levels of nesting', () => {
    const result = validateLeadBody(
      json({
        UserDetails: { FirstName: long(1024), Foo: nested(8) },
        LeadSource: long(1024),
        Description: long(16 * 1024),
        Bar: nested(8),
      }),
    );
    expect(accepted(result).lead.userDetails.firstName).toHaveLength(1024);
  });

  test('a __proto__ key is validated and kept as ordinary data', () => {
    const { lead } = accepted(validateLeadBody(text('{"__proto__":{"isAdmin":true},"LeadSource":"x"}')));
    expect(Object.keys(lead.extra)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(lead.extra)).toBe(Object.prototype);
  });
});

describe('validateLeadBody size and encoding edges', () => {
  /** A recognised lead padded with an unknown field to exactly `bytes` bytes of UTF-8. */
  function bodyOfBytes(bytes: number): Buffer {
    const frame = (padding: string): string => JSON.stringify({ UserDetails: { FirstName: 'Jan' }, Padding: padding });
    const body = text(frame(long(bytes - text(frame('')).length)));
    expect(body.length).toBe(bytes);
    return body;
  }

  test('exactly 32 KiB is accepted', () => {
    expect(accepted(validateLeadBody(bodyOfBytes(MAX_BODY_BYTES))).lead.userDetails.firstName).toBe('Jan');
  });

  test('32 KiB + 1 byte is rejected with 413 maxBytes', () => {
    const result = rejected(validateLeadBody(bodyOfBytes(MAX_BODY_BYTES + 1)));
    expect(result).toEqual({
      status: 413,
      problems: [expect.objectContaining({ field: 'body', rule: 'maxBytes' })],
      ok: false,
    });
  });

  test('the limit counts bytes, not characters', () => {
    const chars = Math.floor(MAX_BODY_BYTES / 3);
    const body = json({ Padding: '€'.repeat(chars) });
    expect(body.length).toBeGreaterThan(MAX_BODY_BYTES);
    expect(rejected(validateLeadBody(body)).status).toBe(413);
  });

  test('a BOM-prefixed UTF-8 body is accepted and the BOM is stripped from the text', () => {
    const sample = readFileSync(join(SAMPLES_DIR, 'https-example.json'));
    const { text: body, lead } = accepted(validateLeadBody(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), sample])));
    expect(body).toBe(sample.toString('utf8'));
    expect(body.charCodeAt(0)).not.toBe(0xfeff);
    expect(lead.userDetails.email).toBe('someone@contoso.com');
  });

  test('non-ASCII names in valid UTF-8 are kept exactly', () => {
    const { lead } = accepted(validateLeadBody(json({ UserDetails: { LastName: 'Wałęsa', FirstName: '李' } })));
    expect(lead.userDetails).toEqual({ lastName: 'Wałęsa', firstName: '李' });
  });

  test('the text returned is the body as received, for the queue', () => {
    const raw = '{ "userDetails" : { "phone" : 1 } }\n';
    expect(accepted(validateLeadBody(text(raw))).text).toBe(raw);
  });
});

describe('validateLeadBody schema compilation', () => {
  // The app compiles without the meta-schema (cold start); the check it skips is made here.
  test('the lead schema is valid against the JSON Schema meta-schema, in strict mode', () => {
    const ajv = new Ajv(LEAD_SCHEMA_OPTIONS);
    addMaxDepth(ajv);
    expect(ajv.validateSchema(leadSchema())).toBe(true);
    expect(ajv.errors ?? null).toBeNull();
    expect(() => ajv.compile(leadSchema())).not.toThrow();
  });

  test('the schema is compiled once at module load, not per call', async () => {
    await jest.isolateModulesAsync(async () => {
      const ajv = await import('ajv');
      const compile = jest.spyOn(ajv.default.prototype, 'compile');
      const fresh = await import('../../../shared/receive/validateLeadBody');
      expect(compile).toHaveBeenCalledTimes(1);
      for (let i = 0; i < 5; i++) fresh.validateLeadBody(json({ LeadSource: `x${i}` }));
      expect(compile).toHaveBeenCalledTimes(1);
      compile.mockRestore();
    });
  });
});

describe('a field sent under two casings', () => {
  test.each([
    ['Email and email', { UserDetails: { Email: '', email: 'b@x.example' } }, 'b@x.example'],
    [
      'UserDetails and userDetails',
      { UserDetails: { Email: 'a@x.example' }, userDetails: { Email: 'b@x.example' } },
      'a@x.example',
    ],
  ])('%s is accepted: the first non-blank spelling counts and the others are kept', (_why, body, email) => {
    const result = validateLeadBody(json(body));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.lead.userDetails.email).toBe(email);
    expect(Object.keys(result.lead.extra).length).toBeGreaterThan(0);
  });
});
