import { MAX_LOCAL_ID_LENGTH } from '../localId/localId.js';
import type { RosterRow, RowError } from './rosterRow.js';

/** What a format extracted from one record, before the checks every format shares: a row, not yet trusted. */
export type RawPerson = RosterRow;

/**
 * The row checks all formats share: a Local ID and a name are required, and
 * the Local ID must fit in a file name. Values are kept exactly as written
 * (formula-looking text included): they are data, neutralised only when
 * Lanyard writes a CSV.
 */
export function checkRow(p: RawPerson): RosterRow | RowError {
  const missing: string[] = [];
  if (p.localId === '') missing.push('Local ID');
  if (p.firstName === '') missing.push('first name');
  if (p.lastName === '') missing.push('last name');
  const localId = p.localId === '' ? null : p.localId;
  if (missing.length > 0) return { line: p.line, localId, message: `Line ${p.line}: no ${joinWords(missing)}; this row was not imported.` };
  if (p.localId.length > MAX_LOCAL_ID_LENGTH) {
    return { line: p.line, localId: p.localId.slice(0, 20), message: `Line ${p.line}: the Local ID is ${p.localId.length} characters long (at most ${MAX_LOCAL_ID_LENGTH}); this row was not imported.` };
  }
  if (UNFIT_IN_FILE_NAME.test(p.localId)) {
    return { line: p.line, localId: p.localId, message: `Line ${p.line}: the Local ID "${p.localId}" contains a slash or control character, which cannot be part of a photo's file name; this row was not imported.` };
  }
  // The row itself, not a copy: an import holds 100,000 of them at once.
  return p;
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const UNFIT_IN_FILE_NAME = /[\\/\u0000-\u001f]/;

export const isRowError = (r: RosterRow | RowError): r is RowError => 'message' in r;

function joinWords(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1] as string}`;
}
