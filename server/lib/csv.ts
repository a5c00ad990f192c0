import { stringify } from 'csv-stringify/sync';

// The one way exports become CSV: UTF-8 with a BOM so Excel opens Chinese text correctly,
// CRLF rows, text a spreadsheet would run as a formula defused.

/** Text a spreadsheet would run as a formula gets a leading apostrophe (a plain number such as "-3.50" is left alone). */
export const csvSafe = (v: string) => (/^[=+\-@\t\r]/.test(v) && !/^-\d+(\.\d+)?$/.test(v) ? `'${v}` : v);

/** Rows to CSV text; string cells go through csvSafe, numbers are written as they are. */
export function toCsv(rows: (string | number)[][]): string {
  return `\ufeff${stringify(
    rows.map((r) => r.map((c) => (typeof c === 'string' ? csvSafe(c) : c))),
    { record_delimiter: '\r\n' },
  )}`;
}
