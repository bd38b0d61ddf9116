import type { GradeOverrides } from './grades.js';

/** What a district has chosen about how its files are read (part of its roster settings). */
export interface ParseOptions {
  /** Clever: which column holds the Local ID, per file. */
  cleverIdColumn: { students: string; teachers: string; staff: string };
  /** OneRoster: `identifier`, `sourcedId`, `username`, or `userIds:<type>` (e.g. `userIds:LocalID`). */
  oneRosterId: string;
  gradeOverrides: GradeOverrides;
}

export const DEFAULT_PARSE_OPTIONS: ParseOptions = {
  cleverIdColumn: { students: 'Student_number', teachers: 'Teacher_number', staff: 'Staff_id' },
  oneRosterId: 'identifier',
  gradeOverrides: {},
};
