import type { PersonRole } from '../db/schema.js';
import type { PersonFields } from '../people/apply.js';

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

export interface School {
  code: string;
  name: string | null;
}

/** What a file says: who is in it, which roles it is complete for, and what was wrong with single rows. */
export interface ParsedRoster {
  format: RosterFormat;
  rows: RosterRow[];
  rowErrors: RowError[];
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
