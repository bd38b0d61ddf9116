import type { PersonRole } from '../../db/schema.js';
import type { CsvFile } from '../read/csv.js';
import { checkRow, isRowError, RosterRejection, rowWarning, type OptionalField, type RosterRow, type RowError, type RowWarning, type School } from '../rows.js';
import { cell, gradeCache, gradeKnown, HeaderIndex, orNull, type GradeOverrides } from './fields.js';
import type { ParseOptions } from './parse.js';

/*
 * Files that hold one role each, read by column names: Lanyard's own
 * students.csv and staff.csv, and Clever's students.csv, teachers.csv,
 * staff.csv (and its schools.csv).
 */

/** Which header names (any of, in order of preference) hold each field. */
export interface ColumnSpec {
  localId: readonly string[];
  firstName: readonly string[];
  lastName: readonly string[];
  grade: readonly string[];
  school: readonly string[];
  email: readonly string[];
  stateId: readonly string[];
  /** Said when the Local ID column is missing: what to name it. */
  localIdHint: string;
}

export interface ReadPeople {
  rows: RosterRow[];
  rowErrors: RowError[];
  rowWarnings: RowWarning[];
  schoolCodes: Set<string>;
  present: OptionalField[];
}

/**
 * Reads a one-role file (native students.csv / staff.csv, Clever's people
 * files) with a column spec. A missing Local ID column rejects the file: every
 * row would otherwise fail, and a full file without IDs is the classic way to
 * deactivate a whole district.
 */
export async function readPeopleColumns(csv: CsvFile, spec: ColumnSpec, role: PersonRole, grades: GradeOverrides): Promise<ReadPeople> {
  const h = new HeaderIndex(csv.header);
  const idCol = h.find(spec.localId);
  if (idCol === undefined) {
    throw new RosterRejection(
      `Line 1: there is no Local ID column. The header row has ${csv.header.map((c) => `"${c}"`).join(', ')}; ${spec.localIdHint}`,
      { line: 1 },
    );
  }
  const firstCol = h.find(spec.firstName);
  const lastCol = h.find(spec.lastName);
  const missingNames = [firstCol === undefined ? 'First Name' : '', lastCol === undefined ? 'Last Name' : ''].filter(Boolean);
  if (missingNames.length > 0) {
    throw new RosterRejection(`Line 1: there is no ${missingNames.join(' or ')} column, so no one in this file could be named.`, { line: 1 });
  }
  const gradeCol = role === 'student' ? h.find(spec.grade) : undefined;
  const schoolCol = h.find(spec.school);
  const emailCol = h.find(spec.email);
  const stateCol = h.find(spec.stateId);
  const found: Array<[OptionalField, number | undefined]> = [['school', schoolCol], ['grade', gradeCol], ['email', emailCol], ['stateId', stateCol]];
  const out: ReadPeople = { rows: [], rowErrors: [], rowWarnings: [], schoolCodes: new Set(), present: found.filter(([, c]) => c !== undefined).map(([f]) => f) };
  const grade = gradeCache(grades);
  const known = gradeKnown(grades);
  for await (const batch of csv.batches()) for (const r of batch) {
    if (r.cells.length > csv.header.length && r.cells.slice(csv.header.length).some((c) => c.trim() !== '')) {
      out.rowErrors.push({ line: r.line, localId: orNull(cell(r.cells, idCol)), message: `Line ${r.line}: ${r.cells.length} cells but the header names ${csv.header.length} columns (an unquoted comma or separator inside a cell?); this row was not imported.` });
      continue;
    }
    const school = orNull(cell(r.cells, schoolCol));
    const checked = checkRow({
      line: r.line,
      localId: cell(r.cells, idCol),
      firstName: cell(r.cells, firstCol),
      lastName: cell(r.cells, lastCol),
      role,
      school,
      grade: gradeCol === undefined ? null : grade(cell(r.cells, gradeCol)),
      email: orNull(cell(r.cells, emailCol)),
      stateId: orNull(cell(r.cells, stateCol)),
      active: true,
    });
    if (isRowError(checked)) out.rowErrors.push(checked);
    else {
      out.rows.push(checked);
      const warning = rowWarning(checked, known);
      if (warning) out.rowWarnings.push(warning);
      if (school) out.schoolCodes.add(school);
    }
  }
  return out;
}

/**
 * Lanyard's own files: `students.csv` and `staff.csv` with the column names
 * districts use, in any order, under the usual aliases.
 */
const COMMON = {
  firstName: ['First Name', 'First', 'Given Name', 'FirstName', 'Legal First Name', 'Preferred First Name'],
  lastName: ['Last Name', 'Last', 'Family Name', 'Surname', 'Legal Last Name'],
  grade: ['Grade', 'Grade Level', 'Grd', 'Current Grade'],
  school: ['Building Code', 'Building', 'School Code', 'School', 'School ID', 'School Number', 'Site Code', 'Site', 'Location', 'Campus'],
  email: ['Email', 'Email Address', 'E-mail', 'Student Email', 'Staff Email', 'Teacher Email'],
  stateId: ['State ID', 'State Student ID', 'SSID', 'State Number', 'State ID Number'],
};

export function nativeSpec(role: PersonRole): ColumnSpec {
  return role === 'student'
    ? {
        ...COMMON,
        localId: ['Local ID', 'LocalID', 'Local ID Number', 'Student Number', 'Student ID', 'Student Local ID', 'ID Number', 'Person ID'],
        localIdHint: 'name the column with each student\'s Local ID "Local ID" (or "Student ID").',
      }
    : {
        ...COMMON,
        localId: ['Local ID', 'LocalID', 'Staff ID', 'Staff Number', 'Employee ID', 'Employee Number', 'Teacher ID', 'Teacher Number', 'ID Number', 'Person ID'],
        localIdHint: 'name the column with each staff member\'s Local ID "Local ID" (or "Staff ID").',
      };
}

/** Clever's files, named and shaped as Clever exports them. */
export type CleverFile = 'students' | 'teachers' | 'staff';

export const cleverRole = (f: CleverFile): PersonRole => (f === 'students' ? 'student' : 'staff');

/** Headers only Clever writes: how a Clever students.csv is told from a native one. */
export function looksLikeClever(header: string[]): boolean {
  const h = new HeaderIndex(header);
  return h.has('School_id') && (h.has('Student_number') || h.has('Student_id') || h.has('Teacher_number') || h.has('Teacher_id') || (h.has('Staff_id') && h.has('Staff_email')) || h.has('School_name'));
}

export function cleverSpec(file: CleverFile, opts: ParseOptions): ColumnSpec {
  const idColumn = opts.cleverIdColumn[file];
  const base = { firstName: ['First_name'], lastName: ['Last_name'], grade: ['Grade'], school: ['School_id'], stateId: ['State_id'] };
  const hint = `Lanyard reads each person's Local ID from the "${idColumn}" column of Clever's ${file}.csv; export that column, or choose another one with \`lanyard roster settings <district> --clever-${file}-id <column>\`.`;
  switch (file) {
    case 'students':
      return { ...base, localId: [idColumn], email: ['Student_email'], localIdHint: hint };
    case 'teachers':
      return { ...base, localId: [idColumn], email: ['Teacher_email'], localIdHint: hint };
    case 'staff':
      return { ...base, localId: [idColumn], email: ['Staff_email'], localIdHint: hint };
  }
}

/** Clever's schools.csv: School_id is what people's School_id points at. */
export async function readCleverSchools(csv: CsvFile): Promise<School[]> {
  const h = new HeaderIndex(csv.header);
  const idCol = h.find(['School_id']);
  const nameCol = h.find(['School_name']);
  if (idCol === undefined) throw new RosterRejection('Line 1: Clever\'s schools.csv needs a School_id column.', { line: 1 });
  const schools: School[] = [];
  for await (const r of csv.records()) {
    const code = cell(r.cells, idCol);
    if (code) schools.push({ code, name: orNull(cell(r.cells, nameCol)) });
  }
  return schools;
}
