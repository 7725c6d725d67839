import {
  cleanText,
  countryToAlpha2,
  MAX_FIELD_LENGTH,
  type NormalisedPerson,
  normalisePerson,
  phoneToE164,
  TRUNCATION_MARKER,
} from '../../../shared/marketplace/normalise';

describe('normalisePerson: documented samples', () => {
  test('HTTPS example', () => {
    expect(
      normalisePerson({
        firstName: 'Some',
        lastName: 'One',
        email: 'someone@contoso.com',
        phone: '16175555555',
        country: 'USA',
        company: 'Contoso',
        title: 'Esquire',
      }),
    ).toEqual<NormalisedPerson>({
      firstName: 'Some',
      lastName: 'One',
      email: 'someone@contoso.com',
      emailMatch: 'someone@contoso.com',
      phone: '16175555555',
      phoneE164: '+16175555555',
      country: 'US',
      countryRaw: 'USA',
      company: 'Contoso',
      title: 'Esquire',
      isTest: false,
    });
  });

  test('.edu lead without personal data: everything empty becomes undefined', () => {
    expect(
      normalisePerson({ firstName: '', lastName: '', email: '', phone: '', country: 'DE', company: '', title: '' }),
    ).toEqual<NormalisedPerson>({ country: 'DE', countryRaw: 'DE', isTest: false });
  });

  test('test lead', () => {
    const p = normalisePerson({
      firstName: 'MSFT_TEST_636573304831318844',
      lastName: 'MSFT_TEST_636573304831318844',
      email: 'MSFT_TEST_636573304831318844@test.com',
      phone: '1234567890',
      country: 'US',
      company: 'MSFT_TEST_636573304831318844',
      title: 'MSFT_TEST_636573304831318844',
    });
    expect(p).toMatchObject({ isTest: true, emailMatch: 'msft_test_636573304831318844@test.com', phone: '1234567890' });
    // Not a valid NANP number: kept for display, never used for matching.
    expect(p.phoneE164).toBeUndefined();
  });

  test.each<[string, string]>([
    ['firstName', 'MSFT_TEST_1'],
    ['email', 'msft_test_1@test.com'],
    ['title', 'x MSFT_TEST'],
  ])('isTest when %s carries the marker', (field, value) => {
    expect(normalisePerson({ [field]: value }).isTest).toBe(true);
  });

  test('no fields at all', () => {
    expect(normalisePerson({})).toEqual({ isTest: false });
  });
});

describe('email', () => {
  const cases: [string | undefined, string | undefined, string | undefined][] = [
    ['someone@contoso.com', 'someone@contoso.com', 'someone@contoso.com'],
    ['Jan.Kowalski@Fabrikam.example', 'Jan.Kowalski@Fabrikam.example', 'jan.kowalski@fabrikam.example'],
    [' jan.kowalski@fabrikam.example ', 'jan.kowalski@fabrikam.example', 'jan.kowalski@fabrikam.example'],
    ['JAN.KOWALSKI@FABRIKAM.EXAMPLE', 'JAN.KOWALSKI@FABRIKAM.EXAMPLE', 'jan.kowalski@fabrikam.example'],
    ['\u200Bjan@fabrikam.example\u0000', 'jan@fabrikam.example', 'jan@fabrikam.example'],
    ['', undefined, undefined],
    ['   ', undefined, undefined],
    [undefined, undefined, undefined],
    ['not an email', 'not an email', undefined],
    ['jan@localhost', 'jan@localhost', undefined],
    ['@fabrikam.example', '@fabrikam.example', undefined],
    ['jan@@fabrikam.example', 'jan@@fabrikam.example', undefined],
    ['jan@fabrikam..example', 'jan@fabrikam..example', undefined],
    ['jan kowalski@fabrikam.example', 'jan kowalski@fabrikam.example', undefined],
    [`${'a'.repeat(245)}@x.example`, `${'a'.repeat(245)}@x.example`, undefined], // 255 chars: longer than an address can be
  ];
  test.each(cases)('%p → display %p, match %p', (email, display, match) => {
    const p = normalisePerson({ email });
    expect(p.email).toBe(display);
    expect(p.emailMatch).toBe(match);
  });
});

describe('phone', () => {
  const cases: [string, string | undefined, string | undefined][] = [
    ['16175555555', 'US', '+16175555555'],
    ['16175555555', 'USA', '+16175555555'],
    ['6175555555', 'US', '+16175555555'],
    ['(617) 555-5555', 'US', '+16175555555'],
    ['48 600 100 200', 'PL', '+48600100200'],
    ['600 100 200', 'PL', '+48600100200'],
    ['600-100-200', 'POL', '+48600100200'],
    ['+48600100200', 'PL', '+48600100200'],
    ['+48600100200', 'US', '+48600100200'],
    ['+48600100200', undefined, '+48600100200'],
    ['0048 600 100 200', 'PL', '+48600100200'],
    ['0048 600 100 200', undefined, '+48600100200'],
    ['48600100200', 'US', '+48600100200'], // calling code without '+', country of someone else
    ['16175555555', undefined, '+16175555555'],
    ['16175555555', 'Narnia', '+16175555555'],
    ['+1 617 555 5555 ext. 12', 'US', '+16175555555'],
    ['1234567890', 'US', undefined],
    ['0000000000', 'US', undefined],
    ['12', 'US', undefined],
    ['call me', 'US', undefined],
    ['617 555 5555 ext. 12', undefined, undefined],
    ['9'.repeat(300), 'US', undefined],
  ];
  test.each(cases)('%p in %p → %p', (phone, country, e164) => {
    const p = normalisePerson({ phone, country });
    expect(p.phoneE164).toBe(e164);
    expect(p.phone).toBe(cleanText(phone));
  });

  test('phoneToE164 never throws', () => {
    for (const junk of ['+', '++++', '+0', '\u0000', '٠١٢٣٤٥٦٧٨٩', '+999999999999999999999', '+1 (((']) {
      expect(() => phoneToE164(junk, 'US')).not.toThrow();
    }
  });
});

describe('country', () => {
  const cases: [string, string | undefined, string | undefined][] = [
    ['US', 'US', 'US'],
    ['us', 'US', 'us'],
    [' us ', 'US', 'us'],
    ['USA', 'US', 'USA'],
    ['POL', 'PL', 'POL'],
    ['pol', 'PL', 'pol'],
    ['PL', 'PL', 'PL'],
    ['BR', 'BR', 'BR'],
    ['DE', 'DE', 'DE'],
    ['DEU', 'DE', 'DEU'],
    ['Poland', 'PL', 'Poland'],
    ['united states', 'US', 'united states'],
    ['Polska', 'PL', 'Polska'],
    ['Deutschland', 'DE', 'Deutschland'],
    ['UK', 'GB', 'UK'],
    ['Narnia', 'Narnia', 'Narnia'],
    ['XX', 'XX', 'XX'],
    ['XXX', 'XXX', 'XXX'],
    ['', undefined, undefined],
  ];
  test.each(cases)('%p → %p (raw %p)', (country, expected, raw) => {
    const p = normalisePerson({ country });
    expect(p.country).toBe(expected);
    expect(p.countryRaw).toBe(raw);
  });

  test('countryToAlpha2 returns undefined for unknown values', () => {
    expect(countryToAlpha2('Narnia')).toBeUndefined();
    expect(countryToAlpha2('x'.repeat(10_000))).toBeUndefined();
  });
});

describe('text fields', () => {
  const long = 'x'.repeat(1000);
  const cases: [string | undefined, string | undefined][] = [
    ['Jan', 'Jan'],
    ['  Jan  ', 'Jan'],
    ['Jan   Maria', 'Jan Maria'],
    ['Jan\tMaria\nNowak', 'Jan Maria Nowak'],
    ['Ja\u0000n', 'Jan'],
    ['Jan \u0007 Maria', 'Jan Maria'],
    ['\u202EnaJ', 'naJ'],
    ['\uFEFFJan', 'Jan'],
    ['Jan\u00A0Maria', 'Jan Maria'],
    ['Jose\u0301', 'José'], // combining accent composed, so it equals the precomposed form
    ['Zoë', 'Zoë'],
    ['Łukasz Żółć', 'Łukasz Żółć'],
    ['王小明', '王小明'],
    ['', undefined],
    [' \t\n ', undefined],
    ['\u0000\u0001', undefined],
    [undefined, undefined],
  ];
  test.each(cases)('%p → %p', (input, expected) => {
    const p = normalisePerson({ firstName: input, lastName: input, company: input, title: input });
    expect(p.firstName).toBe(expected);
    expect(p.lastName).toBe(expected);
    expect(p.company).toBe(expected);
    expect(p.title).toBe(expected);
  });

  test('over-long values are cut with a marker', () => {
    const cut = normalisePerson({ company: long }).company ?? '';
    expect(cut).toHaveLength(MAX_FIELD_LENGTH);
    expect(cut.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(normalisePerson({ company: 'y'.repeat(MAX_FIELD_LENGTH) }).company).toBe('y'.repeat(MAX_FIELD_LENGTH));
  });

  test('a cut never splits a surrogate pair', () => {
    const cut = cleanText('😀'.repeat(1000)) ?? '';
    expect(Array.from(cut)).toHaveLength(MAX_FIELD_LENGTH);
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });
});
