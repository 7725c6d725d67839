import { decodeContinuation, encodeContinuation } from '../../../shared/sell/continuation';
import { parseExportQuery, parseListQuery } from '../../../shared/sell/leadQuery';

const q = (text: string): URLSearchParams => new URLSearchParams(text);

describe('parseListQuery', () => {
  test('defaults: 50 per page, test leads excluded, no filters', () => {
    expect(parseListQuery(q(''))).toEqual({ ok: true, value: { filters: { includeTest: false }, limit: 50 } });
  });

  test('closed-set filters accept lists and any casing, and come back canonical', () => {
    const parsed = parseListQuery(q('status=NEW,contacted&stage=donotcontact&stage=Active&source=appsource'));
    expect(parsed).toMatchObject({
      ok: true,
      value: {
        filters: { statuses: ['new', 'contacted'], stages: ['doNotContact', 'active'], sources: ['AppSource'] },
      },
    });
  });

  test.each([
    ['status=open', 'status', ['new', 'contacted', 'qualified', 'disqualified']],
    ['stage=lost', 'stage', ['interest', 'trial', 'active', 'doNotContact']],
    ['source=Bing', 'source', ['AzureMarketplace', 'AzurePortal', 'AppSource', 'TestDrive', 'Test', 'Unknown']],
    ['includeTest=yes', 'includeTest', ['true', 'false']],
  ])('%s is refused naming the parameter and the allowed values', (text, parameter, allowed) => {
    expect(parseListQuery(q(text))).toEqual({
      ok: false,
      problem: expect.objectContaining({ field: parameter, allowed }),
    });
  });

  test.each(['limit=0', 'limit=501', 'limit=ten', 'limit=1.5', 'limit=-3'])('%s is refused', (text) => {
    expect(parseListQuery(q(text))).toMatchObject({ ok: false, problem: { field: 'limit' } });
  });

  test('limit 1 and 500 are the bounds', () => {
    expect(parseListQuery(q('limit=1'))).toMatchObject({ ok: true, value: { limit: 1 } });
    expect(parseListQuery(q('limit=500'))).toMatchObject({ ok: true, value: { limit: 500 } });
  });

  test('an unknown parameter (a typo) is refused, the function key is not', () => {
    expect(parseListQuery(q('stauts=new'))).toMatchObject({
      ok: false,
      problem: { field: 'stauts', allowed: expect.arrayContaining(['status']) },
    });
    expect(parseListQuery(q('code=secret&status=new'))).toMatchObject({ ok: true });
  });

  test('a parameter with no name ("?=new") is refused, saying so', () => {
    expect(parseListQuery(q('=new'))).toMatchObject({
      ok: false,
      problem: { field: '', message: expect.stringMatching(/^a parameter with no name/) as string },
    });
  });

  test('a plain date is a UTC day: since from its start, until to its end', () => {
    const parsed = parseListQuery(q('since=2026-03-01&until=2026-03-31'));
    expect(parsed.ok && parsed.value.filters.since?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(parsed.ok && parsed.value.filters.until?.toISOString()).toBe('2026-03-31T23:59:59.999Z');
  });

  test('date-times need a zone; impossible dates and reversed ranges are refused', () => {
    expect(parseListQuery(q('since=2026-03-01T10:00:00%2B02:00'))).toMatchObject({ ok: true });
    expect(parseListQuery(q('since=2026-03-01T10:00:00'))).toMatchObject({
      ok: false,
      problem: { field: 'since' },
    });
    expect(parseListQuery(q('until=2026-02-30'))).toMatchObject({ ok: false, problem: { field: 'until' } });
    expect(parseListQuery(q('since=yesterday'))).toMatchObject({ ok: false, problem: { field: 'since' } });
    expect(parseListQuery(q('since=2026-03-02&until=2026-03-01'))).toMatchObject({
      ok: false,
      problem: { field: 'until' },
    });
  });

  test('offer is lower-cased, q kept as typed; over-long text is refused', () => {
    expect(parseListQuery(q('offer=Contoso.Widgets&q=Kow'))).toMatchObject({
      ok: true,
      value: { filters: { offer: 'contoso.widgets', q: 'Kow' } },
    });
    expect(parseListQuery(q(`q=${'x'.repeat(201)}`))).toMatchObject({ ok: false, problem: { field: 'q' } });
  });

  test('a continuation token round-trips; anything else is refused', () => {
    const token = encodeContinuation({ partition: '202603', afterRowKey: 'ZZZZZZZZZZZZZZZZZZZZZZZZZZ' });
    expect(parseListQuery(q(`continuation=${token}`))).toMatchObject({
      ok: true,
      value: { start: { partition: '202603', afterRowKey: 'ZZZZZZZZZZZZZZZZZZZZZZZZZZ' } },
    });
    const forged = Buffer.from(JSON.stringify({ p: "202603' or 1 eq 1", r: 'x' })).toString('base64url');
    for (const bad of [
      'not a token',
      forged,
      Buffer.from('[]').toString('base64url'),
      Buffer.from('{"p":"202603","r":"short"}').toString('base64url'),
    ]) {
      expect(parseListQuery(q(`continuation=${encodeURIComponent(bad)}`))).toMatchObject({
        ok: false,
        problem: { field: 'continuation' },
      });
    }
  });

  test('the export takes the filters but not paging parameters', () => {
    expect(parseExportQuery(q('status=new&q=jan'))).toMatchObject({ ok: true, value: { statuses: ['new'], q: 'jan' } });
    expect(parseExportQuery(q('limit=5'))).toMatchObject({ ok: false, problem: { field: 'limit' } });
  });
});

describe('continuation tokens', () => {
  test('are opaque URL-safe text and decode to the same position', () => {
    const position = { partition: '202512' };
    const token = encodeContinuation(position);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeContinuation(token)).toEqual({ ok: true, value: position });
  });
});
