/**
 * Generators for hostile input: lead bodies (any JSON, Microsoft's shape with hostile strings in odd casings and
 * encodings, bytes that are not UTF-8) and the lead API's query parameters and ids. Lengths are biased towards the
 * limits, where storage limits and cuts bite, rather than spread evenly.
 */
import fc from 'fast-check';

import { encodeContinuation } from '../../shared/sell/continuation';
import { LIST_PARAMETERS } from '../../shared/sell/leadQuery';

/** Characters that have broken something somewhere: controls, half surrogates, escapes, invisible and wide ones. */
const HOSTILE_UNITS = [
  '\u0000',
  '\u0001',
  '\u001f',
  '\u007f',
  '\u0085',
  '"',
  '\\',
  '/',
  '\ud800',
  '\udfff',
  '😀',
  '👩‍👩‍👧',
  '\u202e',
  '\u200b',
  '\ufeff',
  '\n',
  '\r\n',
  '\t',
  '\u2028',
  'é',
  'e\u0301',
  'ﷺ',
  'İ',
  'ß',
  '|',
  '｜',
  '-',
  '–',
  '.',
  '@',
  '+',
  ' ',
  'MSFT_TEST',
  'a',
  '7',
];

/** How many units: mostly short, often right at or just past a field limit (256, 1024, 2000). */
const unitCount = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 12 }) },
  { weight: 2, arbitrary: fc.constantFrom(255, 256, 257, 1023, 1024, 1025, 1999, 2000, 2001) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2200 }) },
);

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.tuple(fc.constantFrom(...HOSTILE_UNITS), unitCount).map(([unit, n]) => unit.repeat(n)),
  fc.array(fc.constantFrom(...HOSTILE_UNITS), { maxLength: 300 }).map((units) => units.join('')),
  fc.emailAddress(),
  fc.constantFrom(
    'AzureMarketplace-INS|contoso.widgets',
    'AppSource (SPZA)-PLT|fabrikamsoft.ledger-cloud',
    'TestDrive-StartTestDrive|contoso.x',
    'MSFT_TEST-MSFT_TEST|MSFT_TEST',
    '+1 (617) 555-0123',
    '0048 601-777-888',
    'Jan.Kowalski@Fabrikam.example',
  ),
);

const leafValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** A documented key in any casing; sometimes an unknown key instead. */
const key = (name: string): fc.Arbitrary<string> =>
  fc.oneof({ weight: 4, arbitrary: fc.mixedCase(fc.constant(name)) }, { weight: 1, arbitrary: hostileString });

function optionalFields(names: readonly string[]): fc.Arbitrary<[string, unknown][]> {
  return fc
    .tuple(...names.map((name) => fc.option(fc.tuple(key(name), leafValue), { nil: undefined, freq: 3 })))
    .map((pairs) => pairs.filter((p): p is [string, unknown] => p !== undefined));
}

const userDetails = fc
  .tuple(
    optionalFields(['FirstName', 'LastName', 'Email', 'Phone', 'Country', 'Company', 'Title']),
    fc.array(fc.tuple(hostileString, leafValue), { maxLength: 3 }),
  )
  .map(([documented, unknown]) => Object.fromEntries([...documented, ...unknown]));

/** Microsoft's lead shape, every value hostile, keys in odd casings, sometimes a field twice under two casings. */
export const microsoftShaped: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.option(fc.tuple(key('UserDetails'), fc.oneof({ weight: 9, arbitrary: userDetails }, leafValue)), {
      nil: undefined,
      freq: 6,
    }),
    optionalFields(['LeadSource', 'ActionCode', 'OfferTitle', 'Description']),
    fc.option(fc.tuple(fc.constantFrom('leadsource', 'LEADSOURCE', 'email', 'description'), hostileString), {
      nil: undefined,
    }),
    fc.array(fc.tuple(hostileString, leafValue), { maxLength: 2 }),
  )
  .map(([details, top, duplicate, unknown]) => {
    const pairs: [string, unknown][] = [...top, ...unknown];
    if (details) pairs.unshift(details);
    if (duplicate) pairs.push(duplicate);
    // defineProperty, so a generated "__proto__" key stays a key.
    const out: Record<string, unknown> = {};
    for (const [k, v] of pairs) Object.defineProperty(out, k, { value: v, enumerable: true, configurable: true });
    return out;
  });

/** JSON as .NET's default encoder writes it: every non-ASCII character and `+ < > & '` as a \u escape. */
function dotNetJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[^\x20-\x7e]|[+<>&']/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const encoding = fc.constantFrom('plain', 'dotnet', 'bom', 'pretty', 'truncated');

function encode(value: unknown, how: string): Buffer {
  switch (how) {
    case 'dotnet':
      return Buffer.from(dotNetJson(value));
    case 'bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(value))]);
    case 'pretty':
      return Buffer.from(JSON.stringify(value, null, 2));
    case 'truncated': {
      const text = Buffer.from(JSON.stringify(value));
      return text.subarray(0, Math.max(0, text.length - 1 - (text.length % 7)));
    }
    default:
      return Buffer.from(JSON.stringify(value));
  }
}

/** Any lead body a sender could post, as bytes. */
export const leadBody: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(microsoftShaped, encoding).map(([v, how]) => encode(v, how)) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 4 }).map((text) => Buffer.from(text)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: hostileString.map((text) => Buffer.from(text)) },
);

// ---- the lead API ----

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Strings shaped like lead ids: ULIDs (some overflowing 48 bits), near misses, and anything at all. */
export const leadId: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.constantFrom(...CROCKFORD), minLength: 26, maxLength: 26 }),
  fc.string({ unit: fc.constantFrom(...CROCKFORD), minLength: 25, maxLength: 25 }).map((s) => `8${s}`),
  fc.string({ unit: fc.constantFrom(...CROCKFORD.toLowerCase(), 'I', 'L', 'O', 'U'), minLength: 26, maxLength: 26 }),
  fc.constantFrom('8ZZZZZZZZZZZZZZZZZZZZZZZZZ', 'ZZZZZZZZZZZZZZZZZZZZZZZZZZ', '00000000000000000000000000', ' '),
  hostileString.filter((s) => s.length > 0),
);

// The list's own parameters, plus the detail's `raw` and the host's `code`.
const PARAMETERS = [...LIST_PARAMETERS, 'raw', 'code'];

const dateLike = fc.oneof(
  fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.constantFrom('2025-02-30', '9999-12-31', '0000-01-01', '+275760-09-13T00:00:00Z', '2025-03-01T09:00Z'),
);

const continuationLike = fc.oneof(
  fc
    .tuple(fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 6, maxLength: 6 }), fc.option(leadId))
    .map(([p, r]) => encodeContinuation(r === null ? { partition: p } : { partition: p, afterRowKey: r })),
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? '').toString('base64url')),
  fc.base64String(),
);

const parameterValue = fc.oneof(
  hostileString,
  dateLike,
  continuationLike,
  fc.integer().map(String),
  fc.constantFrom('new', 'NEW,contacted', 'active', 'AppSource', 'true', '0', '500', '501', '1e3', ''),
);

/** A query string of known parameters (in odd casings) and unknown ones, repeated or not. */
export const queryString: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      fc.oneof(
        { weight: 5, arbitrary: fc.constantFrom(...PARAMETERS) },
        fc.mixedCase(fc.constantFrom(...PARAMETERS)),
        hostileString,
      ),
      parameterValue,
    ),
    { maxLength: 6 },
  )
  .map((pairs) => new URLSearchParams(pairs).toString());

/** A path segment for an id: percent-encoded, lone surrogates replaced (a URL cannot carry them). */
export function pathSegment(id: string): string {
  return encodeURIComponent(id.replace(/\p{Cs}/gu, '\uFFFD'));
}
