/**
 * One CSV cell, quoted when needed. A cell a spreadsheet would run as a
 * formula (=, +, -, @ first) is prefixed with an apostrophe: a name typed as
 * =HYPERLINK(...) in the roster must stay text when a secretary opens the file.
 */
export function csvCell(value: string | null | undefined): string {
  let v = value ?? '';
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export const csvLine = (cells: Array<string | null | undefined>): string => `${cells.map(csvCell).join(',')}\r\n`;
