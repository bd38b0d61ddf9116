import type { PersonRole } from '../../db/schema.js';
import type { CsvFile } from '../csvRecords.js';
import { cell, HeaderIndex, orNull } from '../headers.js';
import { RosterRejection } from '../rejection.js';
import type { School } from '../rosterRow.js';
import type { ParseOptions } from '../parseOptions.js';
import type { ColumnSpec } from './columns.js';

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
