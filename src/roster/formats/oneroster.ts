import type { PersonRole } from '../../db/schema.js';
import type { CsvFile } from '../csvRecords.js';
import { gradeCache } from '../grades.js';
import { cell, HeaderIndex, orNull } from '../headers.js';
import { RosterRejection } from '../rejection.js';
import { checkRow, isRowError } from '../rowBuilder.js';
import type { OptionalField, RosterRow, RowError, School } from '../rosterRow.js';
import type { ParseOptions } from '../parseOptions.js';

/** OneRoster 1.1 / 1.2 bulk and delta CSV: manifest.csv, orgs.csv, users.csv. */
export const ONEROSTER_FILES = ['manifest.csv', 'orgs.csv', 'users.csv'] as const;

export interface Manifest {
  version: string;
  /** `bulk`: users.csv lists everyone; `delta`: only changes. */
  users: 'bulk' | 'delta' | 'absent';
}

export async function readManifest(csv: CsvFile): Promise<Manifest> {
  const h = new HeaderIndex(csv.header);
  const nameCol = h.find(['propertyName']);
  const valueCol = h.find(['value']);
  if (nameCol === undefined || valueCol === undefined) throw new RosterRejection('Line 1: a OneRoster manifest.csv has the columns propertyName and value.', { line: 1 });
  const props = new Map<string, string>();
  for await (const r of csv.records()) props.set(cell(r.cells, nameCol).toLowerCase(), cell(r.cells, valueCol).toLowerCase());
  const users = props.get('file.users') ?? 'absent';
  return { version: props.get('oneroster.version') ?? '1.1', users: users === 'bulk' || users === 'delta' ? users : 'absent' };
}

export interface Orgs {
  schools: School[];
  /** An org's sourcedId → the school code people are shown with (its identifier). */
  codeBySourcedId: Map<string, string>;
}

export async function readOrgs(csv: CsvFile): Promise<Orgs> {
  const h = new HeaderIndex(csv.header);
  const idCol = h.find(['sourcedId']);
  if (idCol === undefined) throw new RosterRejection('Line 1: a OneRoster orgs.csv needs a sourcedId column.', { line: 1 });
  const nameCol = h.find(['name']);
  const typeCol = h.find(['type']);
  const identCol = h.find(['identifier']);
  const orgs: Orgs = { schools: [], codeBySourcedId: new Map() };
  for await (const r of csv.records()) {
    const sourcedId = cell(r.cells, idCol);
    if (!sourcedId) continue;
    const code = cell(r.cells, identCol) || sourcedId;
    orgs.codeBySourcedId.set(sourcedId, code);
    if (cell(r.cells, typeCol).toLowerCase() !== 'district') orgs.schools.push({ code, name: orNull(cell(r.cells, nameCol)) });
  }
  return orgs;
}

const STAFF_ROLES = new Set(['teacher', 'administrator', 'aide', 'proctor', 'counselor', 'principal', 'districtadministrator', 'siteadministrator', 'systemadministrator']);
const NOT_PEOPLE_WE_KEEP = new Set(['guardian', 'parent', 'relative']);

export function oneRosterRole(raw: string): PersonRole | 'ignore' | undefined {
  const r = raw.trim().toLowerCase();
  if (r === 'student') return 'student';
  if (STAFF_ROLES.has(r)) return 'staff';
  if (NOT_PEOPLE_WE_KEEP.has(r)) return 'ignore';
  return undefined;
}

/** `{LocalID:123},{State:ST9}` → [['LocalID','123'], ['State','ST9']]. */
export function parseUserIds(raw: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const m of raw.matchAll(/\{\s*([^:}]+?)\s*:\s*([^}]*?)\s*\}/g)) out.push([m[1] as string, m[2] as string]);
  return out;
}

export interface ReadUsers {
  rows: RosterRow[];
  rowErrors: RowError[];
  /** Guardians and parents: OneRoster lists them, Lanyard has no place for them. */
  ignored: number;
  present: OptionalField[];
}

export async function readUsers(csv: CsvFile, orgs: Orgs, opts: ParseOptions): Promise<ReadUsers> {
  const h = new HeaderIndex(csv.header);
  const roleCol = h.find(['role']);
  if (roleCol === undefined) {
    throw new RosterRejection(
      'Line 1: this users.csv has no role column. OneRoster 1.2 keeps roles in roles.csv, which Lanyard does not read yet: export OneRoster 1.1 users.csv (with its role column), or native students.csv and staff.csv.',
      { line: 1 },
    );
  }
  const fromUserIds = /^userids:(.+)$/i.exec(opts.oneRosterId)?.[1]?.toLowerCase();
  const idCol = fromUserIds ? h.find(['userIds']) : h.find([opts.oneRosterId]);
  if (idCol === undefined) {
    throw new RosterRejection(
      `Line 1: there is no ${fromUserIds ? 'userIds' : opts.oneRosterId} column, where Lanyard reads each person's Local ID. Export it, or choose another with \`lanyard roster settings <district> --oneroster-id identifier|sourcedId|username|userIds:<type>\`.`,
      { line: 1 },
    );
  }
  const cols = {
    status: h.find(['status']),
    enabled: h.find(['enabledUser']),
    orgs: h.find(['orgSourcedIds', 'primaryOrgSourcedId']),
    userIds: h.find(['userIds']),
    first: h.find(['givenName', 'preferredFirstName']),
    last: h.find(['familyName', 'preferredLastName']),
    email: h.find(['email']),
    grades: h.find(['grades']),
  };
  const found: Array<[OptionalField, number | undefined]> = [['school', cols.orgs], ['grade', cols.grades], ['email', cols.email], ['stateId', cols.userIds]];
  const out: ReadUsers = { rows: [], rowErrors: [], ignored: 0, present: found.filter(([, c]) => c !== undefined).map(([f]) => f) };
  const grade = gradeCache(opts.gradeOverrides);
  for await (const batch of csv.batches()) for (const r of batch) {
    const role = oneRosterRole(cell(r.cells, roleCol));
    if (role === 'ignore') {
      out.ignored++;
      continue;
    }
    const ids = parseUserIds(cell(r.cells, cols.userIds));
    const localId = fromUserIds ? (ids.find(([t]) => t.toLowerCase() === fromUserIds)?.[1] ?? '') : cell(r.cells, idCol);
    if (role === undefined) {
      out.rowErrors.push({ line: r.line, localId: orNull(localId), message: `Line ${r.line}: role "${cell(r.cells, roleCol)}" is not a student or staff role; this row was not imported.` });
      continue;
    }
    const orgIds = cell(r.cells, cols.orgs).split(',').map((s) => s.trim()).filter(Boolean);
    const school = orgIds.map((o) => orgs.codeBySourcedId.get(o)).find((c) => c !== undefined) ?? null;
    const studentGrade = role === 'student' ? grade(cell(r.cells, cols.grades).split(',')[0] ?? '') : null;
    const active = cell(r.cells, cols.enabled).toLowerCase() !== 'false' && cell(r.cells, cols.status).toLowerCase() !== 'tobedeleted';
    const checked = checkRow({
      line: r.line,
      localId,
      firstName: cell(r.cells, cols.first),
      lastName: cell(r.cells, cols.last),
      role,
      school,
      grade: studentGrade,
      email: orNull(cell(r.cells, cols.email)),
      stateId: ids.find(([t]) => /^state/i.test(t))?.[1] ?? null,
      active,
    });
    if (isRowError(checked)) out.rowErrors.push(checked);
    else out.rows.push(checked);
  }
  return out;
}
