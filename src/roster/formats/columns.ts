import type { PersonRole } from '../../db/schema.js';
import type { CsvFile } from '../csvRecords.js';
import { gradeCache, type GradeOverrides } from '../grades.js';
import { cell, HeaderIndex, orNull } from '../headers.js';
import { RosterRejection } from '../rejection.js';
import { checkRow, isRowError } from '../rowBuilder.js';
import type { OptionalField, RosterRow, RowError } from '../rosterRow.js';

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
  const out: ReadPeople = { rows: [], rowErrors: [], schoolCodes: new Set(), present: found.filter(([, c]) => c !== undefined).map(([f]) => f) };
  const grade = gradeCache(grades);
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
      if (school) out.schoolCodes.add(school);
    }
  }
  return out;
}
