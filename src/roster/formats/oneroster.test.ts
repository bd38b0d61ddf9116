import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildZip } from '../../../test/photos/zipBuilder.js';
import { withCsv } from '../read/csv.js';
import { bufferSource, type RosterInput } from '../read/input.js';
import { isRosterRejection, type ParsedRoster, type RosterRejection } from '../rows.js';
import { readRoles } from './oneroster.js';
import { DEFAULT_PARSE_OPTIONS, parseRoster } from './parse.js';

/*
 * OneRoster 1.2 moves each user's role out of users.csv into roles.csv (one
 * row per user and org). The shared fixtures are 1.1 only, so the 1.2 files
 * are written here.
 */

const MANIFEST = ['propertyName,value', 'manifest.version,1.0', 'oneroster.version,1.2', 'file.orgs,bulk', 'file.roles,bulk', 'file.users,bulk', ''].join('\n');

const ORGS = [
  'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId',
  'd1,active,,Example Unified,district,D1,',
  'o101,active,,Lincoln Elementary,school,101,d1',
  'o201,active,,Roosevelt Middle,school,201,d1',
  '',
].join('\n');

const USERS_HEADER =
  'sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns';

const USERS = [
  USERS_HEADER,
  /* 2 */ 'u1,active,,true,ann,{State:ST1},Ann,Lee,,004410,ann@example.org,,,,07,,,,,,,o201,',
  /* 3 */ 'u2,active,,true,bo,,Bo,Kim,,T1,bo@example.org,,,,,,,,,,,,',
  /* 4 */ 'u3,active,,true,cy,,Cy,Lee,,G1,,,,,,,,,,,,,',
  /* 5 */ 'u4,active,,true,di,,Di,Ray,,T2,,,,,,,,,,,,,',
  /* 6 */ 'u5,active,,true,ed,,Ed,Fox,,004412,,,,,03,,,,,,,o101,',
  /* 7 */ 'u6,active,,true,bea,,,Ng,,004411,,,,,KG,,,,Bea,,Nguyen,,',
  /* 8 */ 'u7,active,,true,vi,,Vi,Yu,,V1,,,,,,,,,,,,,',
  '',
].join('\n');

const ROLES = [
  'sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId',
  /* 2 */ 'r1,active,,u1,primary,student,,,o101,',
  /* 3 */ 'r2,active,,u2,secondary,student,,,o101,',
  /* 4 */ 'r3,active,,u2,primary,teacher,,,o201,',
  /* 5 */ 'r4,active,,u3,primary,guardian,,,o101,',
  /* 6 */ 'r5,tobedeleted,,u4,primary,student,,,o101,',
  /* 7 */ 'r6,active,,u4,secondary,teacher,,,o201,',
  /* 8 */ 'r7,,,u6,secondary,student,,,o101,',
  /* 9 */ 'r8,active,,u7,primary,observer,,,o101,',
  '',
].join('\n');

/** A file only in memory, with the files delivered beside it. */
function loose(name: string, data: string, siblings: Record<string, string> = {}): RosterInput {
  return {
    name,
    source: bufferSource(data),
    randomAccess: () => Promise.reject(new Error('not a zip')),
    sibling: async (n) => (siblings[n] === undefined ? undefined : bufferSource(siblings[n] as string)),
  };
}

/** A zip only in memory, its files in a folder as SIS exports put them. */
function zipped(files: Record<string, string>): RosterInput {
  const data = buildZip(Object.entries(files).map(([name, text]) => ({ name: `export/${name}`, data: text })));
  return {
    name: 'oneroster.zip',
    source: bufferSource(data),
    randomAccess: async () => ({ size: data.length, read: async (at: number, length: number) => data.subarray(at, at + length), close: () => Promise.resolve() }),
    sibling: async () => undefined,
  };
}

async function rejection(p: Promise<unknown>): Promise<RosterRejection> {
  try {
    await p;
  } catch (err) {
    if (isRosterRejection(err)) return err;
    throw err;
  }
  assert.fail('the file was accepted');
}

const parse = (input: RosterInput) => parseRoster(input, DEFAULT_PARSE_OPTIONS);
const summary = (p: ParsedRoster) => p.rows.map((r) => [r.line, r.localId, r.role, r.school, r.firstName, r.lastName, r.grade]);

describe('OneRoster 1.2: roles from roles.csv', () => {
  test('roles.csv: the primary role wins, else the first active row; tobedeleted rows do not count', async () => {
    const roles = await withCsv(bufferSource(ROLES), readRoles);
    assert.equal(roles.rows, 8);
    assert.deepEqual(roles.get('u1'), { role: 'student', orgSourcedId: 'o101', line: 2, primary: true });
    assert.deepEqual(roles.get('u2'), { role: 'teacher', orgSourcedId: 'o201', line: 4, primary: true });
    assert.deepEqual(roles.get('u4'), { role: 'teacher', orgSourcedId: 'o201', line: 7, primary: false });
    assert.deepEqual(roles.get('u6'), { role: 'student', orgSourcedId: 'o101', line: 8, primary: false });
    assert.equal(roles.get('u5'), undefined);
    const onlyDeleted = await withCsv(bufferSource('userSourcedId,status,role\nx,tobedeleted,student\n'), readRoles);
    assert.equal(onlyDeleted.size, 0);
    const firstActive = await withCsv(bufferSource('userSourcedId,role,orgSourcedId\nx,aide,o1\nx,student,o2\n'), readRoles);
    assert.deepEqual(firstActive.get('x'), { role: 'aide', orgSourcedId: 'o1', line: 2, primary: false });
  });

  test('loose users.csv with roles.csv, orgs.csv and manifest.csv: roles, schools, guardians skipped, people without a role are row errors', async () => {
    const p = await parse(loose('users.csv', USERS, { 'manifest.csv': MANIFEST, 'orgs.csv': ORGS, 'roles.csv': ROLES }));
    assert.equal(p.format, 'oneroster');
    assert.deepEqual(summary(p), [
      // primaryOrgSourcedId (o201) wins over the role's org (o101).
      [2, '004410', 'student', '201', 'Ann', 'Lee', '7'],
      // The primary teacher role wins over the secondary student role listed first; its org is the school.
      [3, 'T1', 'staff', '201', 'Bo', 'Kim', null],
      // The primary student role is tobedeleted: the active secondary teacher role counts.
      [5, 'T2', 'staff', '201', 'Di', 'Ray', null],
      // A preferred name stands in for an empty legal one, and not otherwise.
      [7, '004411', 'student', '101', 'Bea', 'Ng', 'K'],
    ]);
    assert.deepEqual(p.rowErrors, [
      { line: 6, localId: '004412', message: 'Line 6: user u5 has no row in roles.csv, so Lanyard cannot tell whether they are a student or staff; this row was not imported. Export roles.csv with a row for every user in users.csv (a full export, if your system sends only changed roles).' },
      { line: 8, localId: 'V1', message: 'Line 8: role "observer" (roles.csv line 9) is not a student or staff role; this row was not imported.' },
    ]);
    assert.equal(p.rows[0]?.stateId, 'ST1');
    assert.deepEqual(p.completeFor, ['student', 'staff']);
    assert.ok(p.present.includes('school'));
    assert.ok(p.notes.some((n) => /^1 guardians and parents were skipped/.test(n)), p.notes.join(' | '));
    assert.deepEqual(p.schools.map((s) => s.code), ['101', '201']);
  });

  test('a zip with roles.csv reads the same people as the loose files', async () => {
    const z = await parse(zipped({ 'manifest.csv': MANIFEST, 'orgs.csv': ORGS, 'roles.csv': ROLES, 'users.csv': USERS }));
    const l = await parse(loose('users.csv', USERS, { 'manifest.csv': MANIFEST, 'orgs.csv': ORGS, 'roles.csv': ROLES }));
    assert.equal(z.rows.length, 4);
    assert.deepEqual(z.rows, l.rows);
    assert.deepEqual(z.rowErrors, l.rowErrors);
  });

  test('users.csv without a role column and no roles.csv is refused, saying to include roles.csv', async () => {
    const inData = await rejection(parse(loose('users.csv', USERS, { 'manifest.csv': MANIFEST, 'orgs.csv': ORGS })));
    assert.equal(inData.where.line, 1);
    assert.match(inData.message, /^users\.csv: Line 1: this users\.csv has no role column, as in OneRoster 1\.2/);
    assert.match(inData.message, /Put roles\.csv beside users\.csv in data\//);
    const inZip = await rejection(parse(zipped({ 'manifest.csv': MANIFEST, 'orgs.csv': ORGS, 'users.csv': USERS })));
    assert.match(inZip.message, /roles\.csv/);
    assert.match(inZip.message, /in one \.zip/);
  });

  test('users.csv without a role column needs its sourcedId column to find roles', async () => {
    const noIds = USERS.split('\n').map((l) => l.replace(/^[^,]*,/, '')).join('\n');
    const r = await rejection(parse(loose('users.csv', noIds, { 'manifest.csv': MANIFEST, 'orgs.csv': ORGS, 'roles.csv': ROLES })));
    assert.match(r.message, /^users\.csv: Line 1: this users\.csv has neither a role column nor a sourcedId column/);
    const deltaManifest = MANIFEST.replace('file.roles,bulk', 'file.roles,delta').replace('file.users,bulk', 'file.users,delta');
    const delta = await rejection(parse(loose('users.csv', noIds, { 'manifest.csv': deltaManifest, 'orgs.csv': ORGS, 'roles.csv': ROLES })));
    assert.match(delta.message, /neither a role column nor a sourcedId column/, 'a delta\'s role changes are not dropped unnoticed');
  });

  test('a roles.csv without userSourcedId is refused, naming the file', async () => {
    const r = await rejection(parse(loose('users.csv', USERS, { 'manifest.csv': MANIFEST, 'orgs.csv': ORGS, 'roles.csv': 'sourcedId,role\nr1,student\n' })));
    assert.match(r.message, /^roles\.csv: Line 1: a OneRoster roles\.csv has the columns userSourcedId and role/);
  });

  test('a users.csv with its own role column (1.1) ignores a roles.csv beside it', async () => {
    const users = 'sourcedId,role,givenName,familyName,identifier\na,student,Ann,Lee,1\n';
    const p = await parse(loose('users.csv', users, { 'manifest.csv': MANIFEST, 'orgs.csv': ORGS, 'roles.csv': 'userSourcedId,role,orgSourcedId\na,teacher,o101\n' }));
    assert.deepEqual(p.rows.map((r) => [r.localId, r.role, r.school]), [['1', 'student', null]]);
  });

  test('roles.csv and the 1.2 manifest uploaded alone are companions: nobody is imported yet', async () => {
    const roles = await parse(loose('roles.csv', ROLES));
    assert.deepEqual(roles.rows, []);
    assert.deepEqual(roles.completeFor, []);
    assert.deepEqual(roles.notes, ['OneRoster roles.csv: 8 role rows, for 6 people. People are imported when users.csv arrives.']);
    const again = await parse(loose('roles.csv', ROLES, { 'users.csv': USERS }));
    assert.match(again.notes[0] ?? '', /People are imported when users\.csv is uploaded again\./);
    const manifest = await parse(loose('manifest.csv', MANIFEST));
    assert.match(manifest.notes[0] ?? '', /^OneRoster 1\.2 manifest\.csv \(users: bulk, roles: bulk\)/);
  });

  test('an unrecognised file is refused with the OneRoster files listed, roles.csv among them', async () => {
    const r = await rejection(parse(loose('people.csv', 'Local ID,First Name,Last Name\n1,a,b\n')));
    assert.match(r.message, /manifest\.csv, orgs\.csv and users\.csv, with roles\.csv for OneRoster 1\.2/);
  });
});
