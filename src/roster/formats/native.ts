import type { PersonRole } from '../../db/schema.js';
import type { ColumnSpec } from './columns.js';

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
