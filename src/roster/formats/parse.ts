import type { PersonRole } from '../../db/schema.js';
import { withCsv, type CsvFile } from '../read/csv.js';
import { openRosterZip, type ByteSource, type RosterInput } from '../read/input.js';
import { ROLE_AS_BEFORE, RosterRejection, type ParsedRoster, type RosterRow, type RowError } from '../rows.js';
import { cleverRole, cleverSpec, looksLikeClever, nativeSpec, readCleverSchools, readPeopleColumns, type CleverFile } from './columns.js';
import type { GradeOverrides } from './fields.js';
import { isOneRosterCompanion, readManifest, readOrgs, readRoles, readUsers, type Orgs, type RolesByUser } from './oneroster.js';

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

const TEXT_EXTENSIONS = /\.(csv|txt|tsv)$/i;

/**
 * Reads any roster Lanyard knows into one row type. Pure: nothing is written,
 * so a rejected or dry-run file changes nothing. Recognises the format from the
 * file name and header row.
 */
export async function parseRoster(input: RosterInput, opts: ParseOptions): Promise<ParsedRoster> {
  const name = input.name.toLowerCase();
  if (name.endsWith('.zip')) return parseOneRosterZip(input, opts);
  if (!TEXT_EXTENSIONS.test(name)) {
    throw new RosterRejection(
      `Lanyard reads roster files saved as CSV (.csv, .txt or .tsv) or a OneRoster .zip; "${input.name}" is neither. In your spreadsheet choose Save As > CSV and upload that file.`,
    );
  }
  if (name === 'users.csv') return parseOneRosterLoose(input, opts);
  if (isOneRosterCompanion(name)) return parseOneRosterCompanion(input);
  return withCsv(input.source, async (csv) => {
    const clever = looksLikeClever(csv.header);
    if (name.includes('school')) {
      if (!clever && !csv.header.some((h) => /school.?id/i.test(h))) throw unknownFormat(input.name);
      return { ...empty('clever'), schools: await readCleverSchools(csv), notes: [] };
    }
    const kind: CleverFile | undefined = name.includes('student') ? 'students' : name.includes('teacher') ? 'teachers' : name.includes('staff') ? 'staff' : undefined;
    if (!kind) throw unknownFormat(input.name);
    if (clever) return cleverPeople(csv, kind, opts);
    const role: PersonRole = kind === 'students' ? 'student' : 'staff';
    const read = await readPeopleColumns(csv, nativeSpec(role), role, opts.gradeOverrides);
    return finish({ format: 'native', rows: read.rows, rowErrors: read.rowErrors, rowWarnings: read.rowWarnings, schools: schoolsFromCodes(read.schoolCodes), completeFor: [role], notes: [], present: read.present });
  });
}

async function cleverPeople(csv: CsvFile, kind: CleverFile, opts: ParseOptions): Promise<ParsedRoster> {
  const role = cleverRole(kind);
  const read = await readPeopleColumns(csv, cleverSpec(kind, opts), role, opts.gradeOverrides);
  // Clever splits staff over teachers.csv and staff.csv: neither alone lists every staff member.
  const completeFor: PersonRole[] = kind === 'students' ? ['student'] : [];
  const notes = kind === 'students' ? [] : [`Clever lists staff in two files (teachers.csv and staff.csv), so staff missing from ${kind}.csv are not deactivated.`];
  return finish({ format: 'clever', rows: read.rows, rowErrors: read.rowErrors, rowWarnings: read.rowWarnings, schools: schoolsFromCodes(read.schoolCodes), completeFor, notes, present: read.present });
}

function unknownFormat(name: string): RosterRejection {
  return new RosterRejection(
    `Lanyard cannot tell what "${name}" holds. Name the file students.csv or staff.csv (Lanyard's columns, Clever's students.csv/teachers.csv/staff.csv/schools.csv), or upload OneRoster's manifest.csv, orgs.csv and users.csv, with roles.csv for OneRoster 1.2 (or one .zip).`,
    { line: 1 },
  );
}

const empty = (format: ParsedRoster['format']): ParsedRoster => ({ format, rows: [], rowErrors: [], rowWarnings: [], schools: [], completeFor: [], notes: [], present: [] });

const schoolsFromCodes = (codes: Set<string>) => [...codes].sort().map((code) => ({ code, name: null }));

async function parseOneRosterCompanion(input: RosterInput): Promise<ParsedRoster> {
  const name = input.name.toLowerCase();
  const users = await input.sibling('users.csv');
  const wait = users ? 'People are imported when users.csv is uploaded again.' : 'People are imported when users.csv arrives.';
  if (name === 'orgs.csv') {
    const orgs = await withCsv(input.source, readOrgs);
    return { ...empty('oneroster'), schools: orgs.schools, notes: [`OneRoster orgs.csv: ${orgs.schools.length} schools. ${wait}`] };
  }
  if (name === 'roles.csv') {
    const roles = await withCsv(input.source, readRoles);
    return { ...empty('oneroster'), notes: [`OneRoster roles.csv: ${roles.rows} role rows, for ${roles.size} people. ${wait}`] };
  }
  const manifest = await withCsv(input.source, readManifest);
  const files = manifest.roles === 'absent' ? `users: ${manifest.users}` : `users: ${manifest.users}, roles: ${manifest.roles}`;
  return { ...empty('oneroster'), notes: [`OneRoster ${manifest.version} manifest.csv (${files}). ${wait}`] };
}

async function parseOneRosterLoose(input: RosterInput, opts: ParseOptions): Promise<ParsedRoster> {
  // roles.csv is optional here: only a 1.2 users.csv (no role column) needs it, and says so when it is missing.
  const [manifest, orgs, roles] = await Promise.all([input.sibling('manifest.csv'), input.sibling('orgs.csv'), input.sibling('roles.csv')]);
  const missing = [manifest ? '' : 'manifest.csv', orgs ? '' : 'orgs.csv'].filter(Boolean);
  if (!manifest || !orgs) {
    throw new RosterRejection(
      `OneRoster users.csv needs ${missing.join(' and ')} beside it in data/ (the manifest says whether the file is complete, orgs.csv names each person's school). Upload ${missing.join(' and ')}, then users.csv again, or upload them all in one .zip.`,
    );
  }
  return parseOneRoster(input.source, manifest, orgs, roles, opts);
}

async function parseOneRosterZip(input: RosterInput, opts: ParseOptions): Promise<ParsedRoster> {
  const access = await input.randomAccess();
  try {
    const zip = await openRosterZip(access);
    try {
      const get = (n: string) => zip.files.get(n);
      const users = get('users.csv');
      const manifest = get('manifest.csv');
      const orgs = get('orgs.csv');
      if (!users || !manifest || !orgs) {
        const missing = [manifest ? '' : 'manifest.csv', orgs ? '' : 'orgs.csv', users ? '' : 'users.csv'].filter(Boolean);
        throw new RosterRejection(`This zip has no ${missing.join(', ')}: a OneRoster zip needs manifest.csv, orgs.csv and users.csv (and roles.csv for OneRoster 1.2).`);
      }
      return await parseOneRoster(users, manifest, orgs, get('roles.csv'), opts);
    } finally {
      zip.close();
    }
  } finally {
    await access.close();
  }
}

async function parseOneRoster(users: ByteSource, manifestSource: ByteSource, orgsSource: ByteSource, rolesSource: ByteSource | undefined, opts: ParseOptions): Promise<ParsedRoster> {
  const manifest = await withCsv(manifestSource, readManifest).catch(inFile('manifest.csv'));
  const orgs: Orgs = await withCsv(orgsSource, readOrgs).catch(inFile('orgs.csv'));
  if (manifest.users === 'absent') throw new RosterRejection('The manifest.csv says users are absent (file.users), so there is no one to import.');
  const roles: RolesByUser | undefined = rolesSource ? await withCsv(rolesSource, readRoles).catch(inFile('roles.csv')) : undefined;
  // A delta's roles.csv lists only roles that changed (or is absent when none did): a user without a row keeps theirs.
  const rolesOnlyChanged = manifest.users === 'delta' && manifest.roles !== 'bulk';
  const read = await withCsv(users, (csv) => readUsers(csv, orgs, opts, roles, rolesOnlyChanged)).catch(inFile('users.csv'));
  const bulk = manifest.users === 'bulk';
  const notes = bulk ? [] : ['This is a OneRoster delta: only the people in it change, and no one is deactivated for being missing.'];
  if (read.ignored > 0) notes.push(`${read.ignored} guardians and parents were skipped: Lanyard keeps students and staff.`);
  return finish({ format: 'oneroster', rows: read.rows, rowErrors: read.rowErrors, rowWarnings: read.rowWarnings, schools: orgs.schools, completeFor: bulk ? ['student', 'staff'] : [], notes, present: read.present });
}

/** Rejections from a file read beside the one delivered say which file they are about. */
const inFile = (file: string) => (err: unknown): never => {
  if (err instanceof RosterRejection) throw new RosterRejection(`${file}: ${err.message}`, err.where);
  throw err;
};

/**
 * One Local ID is one person: rows repeating an ID are all left out (Lanyard
 * cannot know which is right), and so are a student and a staff member
 * sharing one, since photo names carry no role.
 */
function finish(p: ParsedRoster): ParsedRoster {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const r of p.rows) {
    if (seen.has(r.localId)) repeated.add(r.localId);
    else seen.add(r.localId);
  }
  seen.clear();
  if (repeated.size === 0) return p;
  const clashes = new Map<string, RosterRow[]>();
  for (const r of p.rows) if (repeated.has(r.localId)) clashes.set(r.localId, [...(clashes.get(r.localId) ?? []), r]);
  const errors: RowError[] = [];
  for (const [localId, rows] of clashes) {
    const lines = rows.map((r) => r.line);
    const roles = new Set(rows.map((r) => r.role).filter((role) => role !== ROLE_AS_BEFORE));
    for (const r of rows) {
      const others = lines.filter((l) => l !== r.line).join(', ');
      errors.push({
        line: r.line,
        localId,
        message:
          roles.size > 1
            ? `Line ${r.line}: Local ID ${localId} is used by a student and a staff member (also line ${others}); one Local ID must mean one person, so none of these rows was imported.`
            : `Line ${r.line}: Local ID ${localId} appears again on line ${others}; Lanyard cannot tell which row is right, so none of them was imported.`,
      });
    }
  }
  return {
    ...p,
    rows: p.rows.filter((r) => !clashes.has(r.localId)),
    rowErrors: [...p.rowErrors, ...errors].sort((a, b) => a.line - b.line),
  };
}
