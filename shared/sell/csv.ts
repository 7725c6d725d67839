/**
 * RFC 4180 CSV: CRLF line ends, every field quoted (always legal, and no field's content can change the
 * structure), quotes doubled. Cells a spreadsheet would run as a formula are neutralised the way OWASP
 * recommends (https://owasp.org/www-community/attacks/CSV_Injection): a cell starting with = + - @ tab or CR
 * gets a leading single quote. Lead data is typed by strangers on a public marketplace page, and sales open the
 * export in Excel; `=HYPERLINK(...)` in a company name must stay text. The cost: a phone number written
 * `+48 …` shows as `'+48 …`.
 */
export const BOM = '\uFEFF';
export const CRLF = '\r\n';

const FORMULA_START = /^[=+\-@\t\r]/;
// Spreadsheets strip leading blanks before deciding what a cell is in some import paths; check after them too.
const FORMULA_AFTER_BLANKS = /^[ \u00A0]+[=+\-@]/;

export function neutralise(value: string): string {
  return FORMULA_START.test(value) || FORMULA_AFTER_BLANKS.test(value) ? `'${value}` : value;
}

export function csvCell(value: string | number | boolean | undefined | null): string {
  const text = value === undefined || value === null ? '' : String(value);
  return `"${neutralise(text).replace(/"/g, '""')}"`;
}

export function csvRow(values: readonly (string | number | boolean | undefined | null)[]): string {
  return values.map(csvCell).join(',') + CRLF;
}

export interface CsvColumn<T> {
  header: string;
  value(item: T): string | number | boolean | undefined;
}

/** The header row (after the BOM Excel needs to read UTF-8), then one line per item, pulled as the reader asks. */
export async function* csvLines<T>(
  columns: readonly CsvColumn<T>[],
  items: AsyncIterable<T>,
): AsyncGenerator<string, void, undefined> {
  yield BOM + csvRow(columns.map((c) => c.header));
  for await (const item of items) yield csvRow(columns.map((c) => c.value(item)));
}
