/**
 * Every CSV Lanyard writes goes through here. A cell that starts with `=`,
 * `+`, `-`, `@` (or a tab or carriage return, which Excel skips before looking)
 * would run as a formula when a district opens the download in a spreadsheet;
 * a leading apostrophe makes it plain text there, and the stored value is never
 * changed.
 */
export function neutraliseCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** One CSV cell: neutralised, then quoted when it holds a separator, a quote or a line break. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'string' ? neutraliseCell(value) : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line, CRLF-terminated as spreadsheets expect. */
export const csvLine = (cells: ReadonlyArray<string | number | boolean | null | undefined>): string => `${cells.map(csvCell).join(',')}\r\n`;

/** A whole CSV with a UTF-8 byte-order mark, so Excel shows accents right. */
export function toCsv(header: readonly string[], rows: Iterable<ReadonlyArray<string | number | boolean | null | undefined>>): string {
  let out = `\uFEFF${csvLine(header)}`;
  for (const r of rows) out += csvLine(r);
  return out;
}

type Cell = string | number | boolean | null | undefined;

/**
 * A CSV as it is written, a chunk per page of rows, for a streamed download:
 * the header (with the byte-order mark) first, then each page's lines as one
 * string. Pulled by the response stream, so no more than one page is held.
 */
export async function* csvChunks<P>(header: readonly string[], pages: AsyncIterable<P>, lines: (page: P) => Iterable<readonly Cell[]>): AsyncGenerator<string> {
  yield `\uFEFF${csvLine(header)}`;
  for await (const page of pages) {
    let out = '';
    for (const r of lines(page)) out += csvLine(r);
    if (out) yield out;
  }
}
