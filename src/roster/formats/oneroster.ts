import type { PersonRole } from '../../db/schema.js';
import type { CsvFile } from '../read/csv.js';
import { checkRow, isRowError, ROLE_AS_BEFORE, RosterRejection, rowWarning, type OptionalField, type RosterRow, type RowError, type RowWarning, type School } from '../rows.js';
import { cell, gradeCache, gradeKnown, HeaderIndex, orNull } from './fields.js';
import type { ParseOptions } from './parse.js';

/* OneRoster 1.1 / 1.2 bulk and delta CSV: manifest.csv, orgs.csv, users.csv, and in 1.2 roles.csv. */

/** Files read with users.csv rather than imported on their own: they hold no people. */
export function isOneRosterCompanion(name: string): boolean {
  const n = name.toLowerCase();
  return n === 'manifest.csv' || n === 'orgs.csv' || n === 'roles.csv';
}

type FileMode = 'bulk' | 'delta' | 'absent';

export interface Manifest {
  version: string;
  /** `bulk`: users.csv lists everyone; `delta`: only changes. */
  users: FileMode;
  /** The same for roles.csv, which only OneRoster 1.2 has. */
  roles: FileMode;
}

export async function readManifest(csv: CsvFile): Promise<Manifest> {
  const h = new HeaderIndex(csv.header);
  const nameCol = h.find(['propertyName']);
  const valueCol = h.find(['value']);
  if (nameCol === undefined || valueCol === undefined) throw new RosterRejection('Line 1: a OneRoster manifest.csv has the columns propertyName and value.', { line: 1 });
  const props = new Map<string, string>();
  for await (const r of csv.records()) props.set(cell(r.cells, nameCol).toLowerCase(), cell(r.cells, valueCol).toLowerCase());
  const mode = (key: string): FileMode => {
    const v = props.get(key);
    return v === 'bulk' || v === 'delta' ? v : 'absent';
  };
  return { version: props.get('oneroster.version') ?? '1.1', users: mode('file.users'), roles: mode('file.roles') };
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

function oneRosterRole(raw: string): PersonRole | 'ignore' | undefined {
  const r = raw.trim().toLowerCase();
  if (r === 'student') return 'student';
  if (STAFF_ROLES.has(r)) return 'staff';
  if (NOT_PEOPLE_WE_KEEP.has(r)) return 'ignore';
  return undefined;
}

/** A user's role as roles.csv gives it. */
export interface UserRole {
  /** As written (`teacher`), so a message can quote it. */
  role: string;
  /** The org the role is held at: the school when users.csv names no primary org. */
  orgSourcedId: string;
  /** Line in roles.csv, for messages. */
  line: number;
  primary: boolean;
}

/** users.csv sourcedId → that user's role; `rows` counts every row of roles.csv, for the note when it arrives alone. */
export type RolesByUser = Map<string, UserRole> & { rows: number };

/**
 * OneRoster 1.2 roles.csv: one row per user and org. A user's primary role
 * wins; without one, their first row. Rows marked tobedeleted do not count.
 * The map lives while users.csv is read, so each user keeps only their id and
 * a line number of their own; role and org values repeat, and are stored once.
 */
export async function readRoles(csv: CsvFile): Promise<RolesByUser> {
  const h = new HeaderIndex(csv.header);
  const userCol = h.find(['userSourcedId']);
  const roleCol = h.find(['role']);
  if (userCol === undefined || roleCol === undefined) {
    throw new RosterRejection('Line 1: a OneRoster roles.csv has the columns userSourcedId and role (one row per person and school). Export roles.csv again from your student information system.', { line: 1 });
  }
  const cols = { status: h.find(['status']), type: h.find(['roleType']), org: h.find(['orgSourcedId']) };
  const repeated = new Map<string, string>();
  const once = (s: string): string => {
    const kept = repeated.get(s);
    if (kept !== undefined) return kept;
    const copy = own(s);
    repeated.set(copy, copy);
    return copy;
  };
  const roles: RolesByUser = Object.assign(new Map<string, UserRole>(), { rows: 0 });
  for await (const batch of csv.batches()) for (const r of batch) {
    roles.rows++;
    const user = cell(r.cells, userCol);
    if (!user || cell(r.cells, cols.status).toLowerCase() === 'tobedeleted') continue;
    const primary = cell(r.cells, cols.type).toLowerCase() === 'primary';
    const held = roles.get(user);
    if (held && (held.primary || !primary)) continue;
    // Replacing an entry keeps its key, so only a new user's id is copied.
    roles.set(held ? user : own(user), { role: once(cell(r.cells, roleCol)), orgSourcedId: once(cell(r.cells, cols.org)), line: r.line, primary });
  }
  return roles;
}

/**
 * A cell copied out of the chunk of text it was cut from: V8 keeps a slice's
 * whole parent string alive, so 100,000 kept ids would hold all of roles.csv.
 */
const own = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');

/** `{LocalID:123},{State:ST9}` → [['LocalID','123'], ['State','ST9']]. */
function parseUserIds(raw: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const m of raw.matchAll(/\{\s*([^:}]+?)\s*:\s*([^}]*?)\s*\}/g)) out.push([m[1] as string, m[2] as string]);
  return out;
}

export interface ReadUsers {
  rows: RosterRow[];
  rowErrors: RowError[];
  rowWarnings: RowWarning[];
  /** Guardians and parents: OneRoster lists them, Lanyard has no place for them. */
  ignored: number;
  present: OptionalField[];
}

/**
 * OneRoster 1.1 names each user's role in users.csv; 1.2 keeps it in
 * roles.csv, matched by the user's sourcedId. A role column, when there is
 * one, is read as before and `roles` is not consulted.
 */
export async function readUsers(csv: CsvFile, orgs: Orgs, opts: ParseOptions, roles?: ReadonlyMap<string, UserRole>, rolesOnlyChanged = false): Promise<ReadUsers> {
  const h = new HeaderIndex(csv.header);
  const roleCol = h.find(['role']);
  const sourcedIdCol = h.find(['sourcedId']);
  if (roleCol === undefined && !roles && !rolesOnlyChanged) {
    throw new RosterRejection(
      'Line 1: this users.csv has no role column, as in OneRoster 1.2, which keeps each person\'s role in roles.csv. Put roles.csv beside users.csv in data/ and upload users.csv again, or send manifest.csv, orgs.csv, roles.csv and users.csv in one .zip.',
      { line: 1 },
    );
  }
  // Without sourcedIds a roles.csv could match no one: its changes would be lost unnoticed.
  if (roleCol === undefined && sourcedIdCol === undefined && (roles !== undefined || !rolesOnlyChanged)) {
    throw new RosterRejection(
      'Line 1: this users.csv has neither a role column nor a sourcedId column, so nobody can be matched to their role in roles.csv. Export users.csv again with its sourcedId column.',
      { line: 1 },
    );
  }
  const fromRoles = roleCol === undefined;
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
    // OneRoster 1.2: a preferred name stands in only where the legal one is empty.
    preferredFirst: h.find(['preferredGivenName']),
    preferredLast: h.find(['preferredFamilyName']),
    email: h.find(['email']),
    grades: h.find(['grades']),
  };
  // Every 1.2 role names the org it is held at, so the school is known even without primaryOrgSourcedId.
  const found: Array<[OptionalField, boolean]> = [['school', cols.orgs !== undefined || fromRoles], ['grade', cols.grades !== undefined], ['email', cols.email !== undefined], ['stateId', cols.userIds !== undefined]];
  const out: ReadUsers = { rows: [], rowErrors: [], rowWarnings: [], ignored: 0, present: found.filter(([, has]) => has).map(([f]) => f) };
  const grade = gradeCache(opts.gradeOverrides);
  const known = gradeKnown(opts.gradeOverrides);
  for await (const batch of csv.batches()) for (const r of batch) {
    const sourcedId = cell(r.cells, sourcedIdCol);
    const held = fromRoles ? roles?.get(sourcedId) : undefined;
    const rawRole = fromRoles ? (held?.role ?? '') : cell(r.cells, roleCol);
    const asBefore = fromRoles && !held && rolesOnlyChanged;
    const role = asBefore ? ROLE_AS_BEFORE : oneRosterRole(rawRole);
    if (role === 'ignore') {
      out.ignored++;
      continue;
    }
    const ids = parseUserIds(cell(r.cells, cols.userIds));
    const localId = fromUserIds ? (ids.find(([t]) => t.toLowerCase() === fromUserIds)?.[1] ?? '') : cell(r.cells, idCol);
    if (fromRoles && !held && !asBefore) {
      const message = sourcedId
        ? `Line ${r.line}: user ${sourcedId} has no row in roles.csv, so Lanyard cannot tell whether they are a student or staff; this row was not imported. Export roles.csv with a row for every user in users.csv (a full export, if your system sends only changed roles).`
        : `Line ${r.line}: no sourcedId, so this user's role in roles.csv cannot be found; this row was not imported.`;
      out.rowErrors.push({ line: r.line, localId: orNull(localId), message });
      continue;
    }
    if (role === undefined) {
      const where = held ? ` (roles.csv line ${held.line})` : '';
      out.rowErrors.push({ line: r.line, localId: orNull(localId), message: `Line ${r.line}: role "${rawRole}"${where} is not a student or staff role; this row was not imported.` });
      continue;
    }
    // users.csv's own orgs first; a 1.2 user without a primary org is shown at the school of their role.
    const orgIds = cell(r.cells, cols.orgs).split(',').map((s) => s.trim()).filter(Boolean);
    if (held?.orgSourcedId) orgIds.push(held.orgSourcedId);
    const school = orgIds.map((o) => orgs.codeBySourcedId.get(o)).find((c) => c !== undefined) ?? null;
    // Whose role is as before may be a student: the import keeps the grade only if so.
    const studentGrade = role === 'student' || role === ROLE_AS_BEFORE ? grade(cell(r.cells, cols.grades).split(',')[0] ?? '') : null;
    const active = cell(r.cells, cols.enabled).toLowerCase() !== 'false' && cell(r.cells, cols.status).toLowerCase() !== 'tobedeleted';
    const checked = checkRow({
      line: r.line,
      localId,
      firstName: cell(r.cells, cols.first) || cell(r.cells, cols.preferredFirst),
      lastName: cell(r.cells, cols.last) || cell(r.cells, cols.preferredLast),
      role,
      school,
      grade: studentGrade,
      email: orNull(cell(r.cells, cols.email)),
      stateId: ids.find(([t]) => /^state/i.test(t))?.[1] ?? null,
      active,
    });
    if (isRowError(checked)) out.rowErrors.push(checked);
    else {
      out.rows.push(checked);
      const warning = rowWarning(checked, known);
      if (warning) out.rowWarnings.push(warning);
    }
  }
  return out;
}
