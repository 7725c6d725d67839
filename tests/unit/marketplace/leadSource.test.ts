import {
  type LeadActionKind,
  type LeadSourceKind,
  type ParsedLeadSource,
  parseLeadSource,
} from '../../../shared/marketplace/leadSource';

describe('parseLeadSource: documented composite Source-Action|Offer', () => {
  const cases: [string, LeadSourceKind, LeadActionKind, string, string][] = [
    ['AppSource (SPZA)-PLT|fabrikamsoft.ledger-cloud', 'AppSource', 'PLT', 'fabrikamsoft', 'ledger-cloud'],
    ['AppSource (SPZA)-DNC|bitnami.openedxcypress', 'AppSource', 'DNC', 'bitnami', 'openedxcypress'],
    ['AppSource (SPZA)-INS|bitnami.openedxcypress', 'AppSource', 'INS', 'bitnami', 'openedxcypress'],
    ['SPZA-PLT|bitnami.openedxcypress', 'AppSource', 'PLT', 'bitnami', 'openedxcypress'],
    ['AppSource-PLT|bitnami.openedxcypress', 'AppSource', 'PLT', 'bitnami', 'openedxcypress'],
    [
      'AzureMarketplace-INS|docusign.3701c77e-1cfa-4c56-91e6-3ed0b622145',
      'AzureMarketplace',
      'INS',
      'docusign',
      '3701c77e-1cfa-4c56-91e6-3ed0b622145',
    ],
    [
      'AzureMarketplace-StartTestDrive|fabrikamsoft.ledger-cloud',
      'AzureMarketplace',
      'StartTestDrive',
      'fabrikamsoft',
      'ledger-cloud',
    ],
    [
      'AzurePortal-Create|checkpoint.check-point-r77-10sg-byol',
      'AzurePortal',
      'Create',
      'checkpoint',
      'check-point-r77-10sg-byol',
    ],
    ['TestDrive-StartTestDrive|bitnami.openedxcypress', 'TestDrive', 'StartTestDrive', 'bitnami', 'openedxcypress'],
    ['AzureMarketplace-Trial|contoso.app', 'AzureMarketplace', 'Trial', 'contoso', 'app'],
  ];
  test.each(cases)('%s', (leadSource, source, action, publisherId, offerId) => {
    const p = parseLeadSource(leadSource, undefined, 'Some Offer');
    expect(p).toMatchObject({ source, action, publisherId, offerId, isTest: false, flags: [] });
    expect(p.offerRaw).toBe(`${publisherId}.${offerId}`);
  });

  test('keeps the raw parts as sent', () => {
    expect(parseLeadSource('AppSource (SPZA)-PLT|fabrikamsoft.ledger-cloud', undefined, ' Ledger Cloud ')).toEqual({
      source: 'AppSource',
      sourceRaw: 'AppSource (SPZA)',
      action: 'PLT',
      actionRaw: 'PLT',
      publisherId: 'fabrikamsoft',
      offerId: 'ledger-cloud',
      offerRaw: 'fabrikamsoft.ledger-cloud',
      offerTitle: 'Ledger Cloud',
      isTest: false,
      flags: [],
    });
  });
});

describe('parseLeadSource: bare source with ActionCode (HTTPS example shape)', () => {
  const cases: [string, string, LeadSourceKind, LeadActionKind][] = [
    ['AzureMarketplace', 'INS', 'AzureMarketplace', 'INS'],
    ['AzurePortal', 'Create', 'AzurePortal', 'Create'],
    ['AppSource (SPZA)', 'PLT', 'AppSource', 'PLT'],
    ['SPZA', 'PLT', 'AppSource', 'PLT'],
    ['AppSource', 'DNC', 'AppSource', 'DNC'],
    ['TestDrive', 'StartTestDrive', 'TestDrive', 'StartTestDrive'],
    ['azuremarketplace', 'ins', 'AzureMarketplace', 'INS'],
    [' AzureMarketplace ', ' INS ', 'AzureMarketplace', 'INS'],
    ['Azure Marketplace', 'create', 'AzureMarketplace', 'Create'],
  ];
  test.each(cases)('%p + ActionCode %p', (leadSource, actionCode, source, action) => {
    const p = parseLeadSource(leadSource, actionCode, 'Test Microsoft');
    expect(p).toMatchObject({ source, action, actionRaw: actionCode.trim(), offerTitle: 'Test Microsoft', flags: [] });
    expect(p.offerId).toBeUndefined();
    expect(p.offerRaw).toBeUndefined();
  });

  test('bare source without any action or offer is flagged, not thrown', () => {
    expect(parseLeadSource('AzureMarketplace', undefined, undefined)).toMatchObject({
      source: 'AzureMarketplace',
      action: 'Unknown',
      actionRaw: '',
      flags: ['missingAction', 'missingOffer'],
    });
  });
});

describe('parseLeadSource: composite and ActionCode together', () => {
  test('agreeing: no flag', () => {
    const p = parseLeadSource('AzurePortal-Create|checkpoint.check-point-r77-10sg-byol', 'Create', 'Check Point');
    expect(p).toMatchObject({ action: 'Create', flags: [] });
  });
  test('agreeing up to case: no flag', () => {
    expect(parseLeadSource('AzureMarketplace-INS|a.b', 'ins', 'X').flags).toEqual([]);
  });
  test('disagreeing: composite wins, flagged', () => {
    const p = parseLeadSource('AzureMarketplace-StartTestDrive|a.b', 'INS', 'X');
    expect(p).toMatchObject({ action: 'StartTestDrive', actionRaw: 'StartTestDrive', flags: ['actionMismatch'] });
  });
  test('unrecognised composite action: the recognised ActionCode is used, flagged', () => {
    const p = parseLeadSource('AzureMarketplace-GetItNow|a.b', 'INS', 'X');
    expect(p).toMatchObject({ action: 'INS', actionRaw: 'INS', flags: ['actionMismatch'] });
  });
  test('both unrecognised and different: composite kept raw', () => {
    const p = parseLeadSource('AzureMarketplace-Foo|a.b', 'Bar', 'X');
    expect(p).toMatchObject({ action: 'Unknown', actionRaw: 'Foo', flags: ['actionMismatch', 'unknownAction'] });
  });
  test('composite without action falls back to ActionCode', () => {
    expect(parseLeadSource('AzureMarketplace-|a.b', 'INS', 'X')).toMatchObject({ action: 'INS', flags: [] });
  });
});

describe('parseLeadSource: test leads', () => {
  test('documented test lead', () => {
    const p = parseLeadSource(
      'MSFT_TEST_636573304831318844-MSFT_TEST_636573304831318844|Contoso Test',
      'INS',
      'Contoso Test',
    );
    expect(p).toEqual<ParsedLeadSource>({
      source: 'Test',
      sourceRaw: 'MSFT_TEST_636573304831318844',
      action: 'INS',
      actionRaw: 'INS',
      offerRaw: 'Contoso Test',
      offerTitle: 'Contoso Test',
      isTest: true,
      flags: [],
    });
  });
  test.each([
    ['MSFT_TEST_1-MSFT_TEST_1|Contoso Test', undefined, undefined],
    ['AzureMarketplace-INS|a.b', 'MSFT_TEST_1', undefined],
    ['AzureMarketplace-INS|a.b', undefined, 'MSFT_TEST offer'],
    ['AzureMarketplace-INS|msft_test.offer', undefined, undefined],
    ['msft_test_1', undefined, undefined],
  ])('marker anywhere: %p / %p / %p', (leadSource, actionCode, offerTitle) => {
    expect(parseLeadSource(leadSource, actionCode, offerTitle).isTest).toBe(true);
  });
  test('test lead without ActionCode has an unknown action, not the marker as an action', () => {
    expect(parseLeadSource('MSFT_TEST_1-MSFT_TEST_1|Contoso Test', undefined, 'Contoso Test')).toMatchObject({
      source: 'Test',
      action: 'Unknown',
      actionRaw: '',
      flags: ['missingAction'],
    });
  });
});

describe('parseLeadSource: malformed values never throw', () => {
  const long = 'A'.repeat(100_000);
  const cases: [string, string | undefined, Partial<ParsedLeadSource>][] = [
    [
      'undefined',
      undefined,
      {
        source: 'Unknown',
        sourceRaw: '',
        action: 'Unknown',
        flags: ['missingSource', 'missingAction', 'missingOffer'],
      },
    ],
    ['empty', '', { source: 'Unknown', sourceRaw: '', flags: ['missingSource', 'missingAction', 'missingOffer'] }],
    [
      'whitespace only',
      '   \t ',
      { source: 'Unknown', sourceRaw: '', flags: ['missingSource', 'missingAction', 'missingOffer'] },
    ],
    ['only pipe', '|', { source: 'Unknown', flags: ['missingSource', 'missingAction', 'missingOffer'] }],
    [
      'only hyphen',
      '-',
      { source: 'Unknown', action: 'Unknown', flags: ['missingSource', 'missingAction', 'missingOffer'] },
    ],
    ['hyphen and pipe', '-|', { flags: ['missingSource', 'missingAction', 'missingOffer'] }],
    [
      'trailing hyphen',
      'AzureMarketplace-',
      { source: 'AzureMarketplace', action: 'Unknown', flags: ['missingAction', 'missingOffer'] },
    ],
    ['leading hyphen', '-INS|a.b', { source: 'Unknown', action: 'INS', offerId: 'b', flags: ['missingSource'] }],
    [
      'unknown action',
      'AzureMarketplace-GetItNow|a.b',
      { source: 'AzureMarketplace', action: 'Unknown', actionRaw: 'GetItNow', flags: ['unknownAction'] },
    ],
    [
      'unknown source',
      'Teams-INS|a.b',
      { source: 'Unknown', sourceRaw: 'Teams', action: 'INS', flags: ['unknownSource'] },
    ],
    [
      'lowercase',
      'azuremarketplace-ins|contoso.app',
      { source: 'AzureMarketplace', action: 'INS', offerId: 'app', flags: [] },
    ],
    [
      'uppercase',
      'AZUREPORTAL-CREATE|CONTOSO.APP',
      { source: 'AzurePortal', action: 'Create', publisherId: 'CONTOSO', flags: [] },
    ],
    [
      'extra spaces',
      '  azuremarketplace  -  ins  |  x.y  ',
      { source: 'AzureMarketplace', action: 'INS', offerRaw: 'x.y', publisherId: 'x', offerId: 'y', flags: [] },
    ],
    ['spaces inside names', 'Azure Portal - Create | x.y', { source: 'AzurePortal', action: 'Create', flags: [] }],
    [
      'double pipe',
      'AzureMarketplace-INS||x.y',
      { action: 'INS', offerRaw: 'x.y', offerId: 'y', flags: ['extraPipe'] },
    ],
    [
      'extra pipe after offer',
      'AzureMarketplace-INS|x.y|extra',
      { offerRaw: 'x.y|extra', publisherId: 'x', offerId: 'y', flags: ['extraPipe'] },
    ],
    ['trailing pipe', 'AzureMarketplace-INS|x.y|', { offerRaw: 'x.y', offerId: 'y', flags: ['extraPipe'] }],
    ['missing offer after pipe', 'AzureMarketplace-INS|', { action: 'INS', flags: ['missingOffer'] }],
    ['offer without pipe', 'AzureMarketplace-INS', { action: 'INS', flags: ['missingOffer'] }],
    ['only offer', '|x.y', { source: 'Unknown', offerId: 'y', flags: ['missingSource', 'missingAction'] }],
    [
      'offer name instead of id',
      'AzureMarketplace-INS|Contoso Test',
      { offerRaw: 'Contoso Test', publisherId: undefined, offerId: undefined, flags: [] },
    ],
    [
      'offer without dot',
      'AzureMarketplace-INS|ledger-cloud',
      { offerRaw: 'ledger-cloud', offerId: undefined, flags: [] },
    ],
    [
      'hyphenated source',
      'Azure-Marketplace-INS|x.y',
      { source: 'AzureMarketplace', sourceRaw: 'Azure-Marketplace', action: 'INS', flags: [] },
    ],
    [
      'hyphenated action',
      'AzureMarketplace-Start-Test-Drive|x.y',
      { source: 'AzureMarketplace', action: 'StartTestDrive', actionRaw: 'Start-Test-Drive', flags: [] },
    ],
    [
      'many hyphens',
      'a-b-c-d-e|x.y',
      {
        source: 'Unknown',
        sourceRaw: 'a',
        action: 'Unknown',
        actionRaw: 'b-c-d-e',
        flags: ['unknownSource', 'unknownAction'],
      },
    ],
    ['unclosed parenthesis', 'AppSource (SPZA-PLT|x.y', { sourceRaw: 'AppSource (SPZA', action: 'PLT' }],
    [
      'hyphen inside (SPZA)',
      'AppSource (SP-ZA)-PLT|x.y',
      { sourceRaw: 'AppSource (SP-ZA)', source: 'AppSource', action: 'PLT', flags: [] },
    ],
    ['en dash', 'AzureMarketplace–INS|x.y', { source: 'AzureMarketplace', action: 'INS', flags: [] }],
    [
      'full-width letters and pipe',
      'ＡｚｕｒｅＭａｒｋｅｔｐｌａｃｅ-INS｜x.y',
      { source: 'AzureMarketplace', action: 'INS', offerId: 'y', flags: [] },
    ],
    [
      'unicode source',
      'Маркетплейс-INS|x.y',
      { source: 'Unknown', sourceRaw: 'Маркетплейс', action: 'INS', flags: ['unknownSource'] },
    ],
    [
      'emoji',
      '🚀-🚀|🚀',
      { source: 'Unknown', action: 'Unknown', offerRaw: '🚀', flags: ['unknownSource', 'unknownAction'] },
    ],
    ['control characters', 'AzureMarketplace\u0000-INS\n|x.y', { source: 'AzureMarketplace', action: 'INS' }],
    ['very long source', `${long}-INS|x.y`, { source: 'Unknown', action: 'INS', flags: ['unknownSource'] }],
    [
      'very long action',
      `AzureMarketplace-${long}|x.y`,
      { source: 'AzureMarketplace', action: 'Unknown', flags: ['unknownAction'] },
    ],
    ['very long, all hyphens', '-'.repeat(100_000), { source: 'Unknown', action: 'Unknown' }],
    [
      'JSON instead of a string-shaped source',
      '{"source":"AzureMarketplace"}',
      { source: 'Unknown', flags: ['unknownSource', 'missingAction', 'missingOffer'] },
    ],
    [
      'action only',
      'INS',
      { source: 'Unknown', sourceRaw: 'INS', flags: ['unknownSource', 'missingAction', 'missingOffer'] },
    ],
  ];
  test.each(cases)('%s', (_name, leadSource, expected) => {
    const p = parseLeadSource(leadSource, undefined, undefined);
    // `undefined` in a case means "absent"; toMatchObject alone would demand the key exist.
    const present = Object.fromEntries(Object.entries(expected).filter(([, v]) => v !== undefined));
    expect(p).toMatchObject(present);
    for (const [key, value] of Object.entries(expected)) {
      if (value === undefined) expect(key in p).toBe(false);
    }
    expect(p.isTest).toBe(false);
  });

  test('very long offer is kept whole', () => {
    const p = parseLeadSource(`AzureMarketplace-INS|${long}`, undefined, undefined);
    expect(p.offerRaw?.length).toBe(long.length);
    expect(p.offerId).toBeUndefined();
  });

  test('stays fast on pathological input', () => {
    const start = Date.now();
    parseLeadSource(`${'-'.repeat(50_000)}|${' '.repeat(50_000)}x${' |'.repeat(50_000)}`, 'x'.repeat(50_000), long);
    expect(Date.now() - start).toBeLessThan(1000);
  });

  test('non-string input at runtime (bad coercion upstream) does not throw', () => {
    const notAString = 42 as unknown as string;
    expect(parseLeadSource(notAString, notAString, notAString)).toMatchObject({ source: 'Unknown', action: 'Unknown' });
  });
});
