import type { PersonRole } from '../db/schema.js';
import { MAX_LOCAL_ID_LENGTH } from '../localId/localId.js';
import type { PersonFields } from '../people/apply.js';
import { looksLikeEmail } from '../shared/email.js';

/*
 * What a roster file says, whatever its format: the rows every format reads
 * into, the errors of single rows, and the rejection of a whole file. Shared
 * by reading (read/), the formats (formats/) and the import (import/).
 */

/**
 * A OneRoster 1.2 delta lists only the roles that changed, so a user in its
 * users.csv may have no roles.csv row: their role, and their school unless
 * users.csv names it, stay what the district already has (the import
 * decides, since only it knows the district's people).
 */
export const ROLE_AS_BEFORE = 'as-before';

/** One person as any roster format describes them, ready to compare with the district's people. */
export type RosterRow = Omit<PersonFields, 'role'> & {
  role: PersonRole | typeof ROLE_AS_BEFORE;
  /** Line in the file where the row starts (1 = header), for messages. */
  line: number;
};

/** A row whose role is known: what the import creates and updates people from. */
export type RoleKnownRow = RosterRow & { role: PersonRole };

export const roleKnown = (r: RosterRow): r is RoleKnownRow => r.role !== ROLE_AS_BEFORE;

/** A row that was left out, and why, in a sentence a district can act on. */
export interface RowError {
  line: number;
  localId: string | null;
  message: string;
}

/**
 * A value that looks wrong in a row that was imported anyway (a grade nobody
 * recognises, an email that is not one): imported as written, and said, so
 * the district can correct its student information system.
 */
export type RowWarning = RowError;

export interface School {
  code: string;
  name: string | null;
}

/** What a file says: who is in it, which roles it is complete for, and what was wrong with single rows. */
export interface ParsedRoster {
  format: RosterFormat;
  rows: RosterRow[];
  rowErrors: RowError[];
  rowWarnings: RowWarning[];
  schools: School[];
  /**
   * Roles this file lists in full, so people of that role missing from it may
   * be deactivated (when the district opted in). A delta file, or one of
   * Clever's two staff files, is complete for nothing.
   */
  completeFor: PersonRole[];
  /**
   * The optional details this file has columns for. A detail without a column
   * is left as it is: an export that leaves out emails must not erase them.
   */
  present: OptionalField[];
  /** Said in the report: why missing people of a role are not deactivated by this kind of file. */
  notes: string[];
}

export type RosterFormat = 'native' | 'clever' | 'oneroster';

export type OptionalField = 'school' | 'grade' | 'email' | 'stateId';

/**
 * Why a whole file was refused, and where, in words a district can act on.
 * Nothing is imported from a rejected file.
 */
export class RosterRejection extends Error {
  override name = 'RosterRejection';
  constructor(
    message: string,
    readonly where: { line?: number; column?: number } = {},
  ) {
    super(message);
  }
}

export const isRosterRejection = (err: unknown): err is RosterRejection => err instanceof RosterRejection;

/**
 * The row checks all formats share, on what a format extracted from one
 * record: a Local ID and a name are required, and the Local ID must fit in a
 * file name. Values are kept exactly as written (formula-looking text
 * included): they are data, neutralised only when Lanyard writes a CSV.
 */
export function checkRow(p: RosterRow): RosterRow | RowError {
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

/**
 * What looks wrong in an imported row, in one sentence, or nothing. `gradeKnown`
 * says whether a grade (as normalised) is one Lanyard or the district's grade
 * spellings know.
 */
export function rowWarning(r: RosterRow, gradeKnown: (grade: string) => boolean): RowWarning | undefined {
  const odd: string[] = [];
  if (r.grade !== null && !gradeKnown(r.grade)) odd.push(`the grade "${r.grade}" is not one Lanyard knows (PK, TK, K, 1 to 12 and the like; add the spelling under Grade spellings in the roster settings if it is right)`);
  if (r.email !== null && !looksLikeEmail(r.email)) odd.push(`the email "${r.email}" is not an email address`);
  if (odd.length === 0) return undefined;
  return { line: r.line, localId: r.localId, message: `Line ${r.line}: ${odd.join(', and ')}; imported as written.` };
}

function joinWords(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1] as string}`;
}
