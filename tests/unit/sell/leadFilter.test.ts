import { matchesFilters, matchesText } from '../../../shared/sell/leadFilter';
import { record } from './records';

describe('matchesText (q)', () => {
  const lead = record({
    firstName: 'Łukasz',
    lastName: 'Nowak-Żak',
    company: 'Fabrikam sp. z o.o.',
    email: 'L.Nowak@Fabrikam.example',
  });

  test.each([
    ['łuk', true],
    ['LUKASZ', true],
    ['lukasz now', true],
    ['nowak z', true],
    ['fabri', true],
    ['l.nowak@', true],
    ['L.NOWAK@FAB', true],
    ['owak', false],
    ['kasz', false],
    ['example', false],
    ['nowak@', false],
  ])('%s → %s', (q, expected) => {
    expect(matchesText(lead, q)).toBe(expected);
  });

  test('a lead without any person data matches no text', () => {
    expect(
      matchesText(record({ firstName: undefined, lastName: undefined, company: undefined, email: undefined }), 'a'),
    ).toBe(false);
  });
});

describe('matchesFilters', () => {
  test('test leads are left out unless asked for', () => {
    const test = record({ isTest: true });
    expect(matchesFilters(test, { includeTest: false })).toBe(false);
    expect(matchesFilters(test, { includeTest: true })).toBe(true);
  });

  test('status, stage and source filters are any-of', () => {
    const lead = record({ status: 'contacted', stage: 'trial', sources: ['AppSource', 'AzureMarketplace'] });
    expect(matchesFilters(lead, { includeTest: false, statuses: ['new', 'contacted'] })).toBe(true);
    expect(matchesFilters(lead, { includeTest: false, statuses: ['new'] })).toBe(false);
    expect(matchesFilters(lead, { includeTest: false, stages: ['trial'] })).toBe(true);
    expect(matchesFilters(lead, { includeTest: false, stages: ['active'] })).toBe(false);
    expect(matchesFilters(lead, { includeTest: false, sources: ['AppSource'] })).toBe(true);
    expect(matchesFilters(lead, { includeTest: false, sources: ['AzurePortal'] })).toBe(false);
  });

  test('offer matches the key, the publisher.offer id, the bare id or the title, case-insensitively', () => {
    const lead = record({
      offerKey: 'contoso.widgets',
      publisherId: 'Contoso',
      offerId: 'Widgets',
      offerTitle: 'Widget Pro',
    });
    for (const offer of ['contoso.widgets', 'widgets', 'widget pro'])
      expect(matchesFilters(lead, { includeTest: false, offer })).toBe(true);
    expect(matchesFilters(lead, { includeTest: false, offer: 'widget' })).toBe(false);
  });

  test('since and until are inclusive bounds on first seen', () => {
    const lead = record({ at: '2026-03-10T10:00:00.000Z' });
    const at = new Date('2026-03-10T10:00:00.000Z');
    expect(matchesFilters(lead, { includeTest: false, since: at, until: at })).toBe(true);
    expect(matchesFilters(lead, { includeTest: false, since: new Date(at.getTime() + 1) })).toBe(false);
    expect(matchesFilters(lead, { includeTest: false, until: new Date(at.getTime() - 1) })).toBe(false);
  });
});
