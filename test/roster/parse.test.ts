import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { bufferSource, DEFAULT_PARSE_OPTIONS, fileInput, isRosterRejection, type ParsedRoster, type ParseOptions, parseRoster, type RosterInput, type RosterRejection } from '../../src/roster/index.js';
import { FIXTURES } from '../helpers/lanyard.js';

const R = path.join(FIXTURES, 'rosters');
const parse = (rel: string, opts: ParseOptions = DEFAULT_PARSE_OPTIONS) => parseRoster(fileInput(path.join(R, rel)), opts);

/** A file only in memory, with the name a district gave it. */
function memory(name: string, data: Buffer | string, siblings: Record<string, string> = {}): RosterInput {
  return {
    name,
    source: bufferSource(data),
    randomAccess: () => Promise.reject(new Error('not a zip')),
    sibling: async (n) => (siblings[n] === undefined ? undefined : bufferSource(siblings[n] as string)),
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

const byId = (p: ParsedRoster, id: string) => p.rows.find((r) => r.localId === id);

describe('reading roster files', () => {
  test('native students.csv: every student, Local IDs with their leading zeros, accents intact', async () => {
    const p = await parse('native/students.csv');
    assert.equal(p.format, 'native');
    assert.equal(p.rows.length, 40);
    assert.deepEqual(p.rowErrors, []);
    assert.deepEqual(p.completeFor, ['student']);
    assert.deepEqual(byId(p, '004410'), {
      line: 2,
      localId: '004410',
      firstName: 'Siobhán',
      lastName: 'Müller',
      role: 'student',
      school: '201',
      grade: '7',
      email: 'siobhan.muller@example.org',
      stateId: 'ST9001000',
      active: true,
    });
    assert.deepEqual(p.schools.map((s) => s.code), ['101', '201', '301']);
  });

  test('native staff.csv: Staff ID is the Local ID, staff have no grade', async () => {
    const p = await parse('native/staff.csv');
    assert.equal(p.rows.length, 8);
    const t = byId(p, 'T602');
    assert.equal(t?.role, 'staff');
    assert.equal(t?.lastName, 'Núñez');
    assert.equal(t?.grade, null);
    assert.equal(t?.school, '101');
  });

  test('next month\'s file reads the same way', async () => {
    const p = await parse('native/students-later.csv');
    assert.equal(p.rows.length, 39);
    assert.equal(byId(p, '004412')?.lastName, 'Renamed');
    assert.equal(byId(p, '100199')?.firstName, 'New');
  });

  test('Clever: Student_number is the Local ID by default, Student_id when the district says so', async () => {
    const p = await parse('clever/students.csv');
    assert.equal(p.format, 'clever');
    assert.equal(p.rows.length, 40);
    assert.equal(byId(p, '004410')?.stateId, 'ST9001000');
    assert.equal(byId(p, '004410')?.school, '201');
    const other = await parse('clever/students.csv', { ...DEFAULT_PARSE_OPTIONS, cleverIdColumn: { ...DEFAULT_PARSE_OPTIONS.cleverIdColumn, students: 'Student_id' } });
    assert.equal(byId(other, '5550000')?.lastName, 'Müller');
    const state = await parse('clever/students.csv', { ...DEFAULT_PARSE_OPTIONS, cleverIdColumn: { ...DEFAULT_PARSE_OPTIONS.cleverIdColumn, students: 'state id' } });
    assert.equal(byId(state, 'ST9001000')?.lastName, 'Müller');
  });

  test('Clever teachers, staff and schools', async () => {
    const t = await parse('clever/teachers.csv');
    assert.deepEqual(t.rows.map((r) => r.localId).sort(), ['T601', 'T603', 'T604']);
    assert.equal(byId(t, 'T604')?.firstName, 'José');
    assert.deepEqual(t.completeFor, []);
    const s = await parse('clever/staff.csv');
    assert.equal(s.rows.length, 5);
    assert.ok(s.rows.every((r) => r.role === 'staff'));
    const schools = await parse('clever/schools.csv');
    assert.deepEqual(schools.schools, [
      { code: '101', name: 'Lincoln Elementary' },
      { code: '201', name: 'Roosevelt Middle' },
      { code: '301', name: 'Jefferson High' },
    ]);
    assert.equal(schools.rows.length, 0);
  });

  test('OneRoster 1.1 loose files: identifier is the Local ID, roles map, schools from orgs.csv, grades normalised', async () => {
    const p = await parse('oneroster-1.1/users.csv');
    assert.equal(p.format, 'oneroster');
    assert.equal(p.rows.filter((r) => r.role === 'student').length, 40);
    assert.equal(p.rows.filter((r) => r.role === 'staff').length, 8);
    assert.deepEqual(p.completeFor, ['student', 'staff']);
    const s = byId(p, '004410');
    assert.equal(s?.grade, '7');
    assert.equal(s?.school, '201');
    assert.equal(s?.stateId, 'ST9001000');
    assert.equal(byId(p, 'T600')?.role, 'staff');
    assert.deepEqual(p.schools.map((x) => x.code), ['101', '201', '301']);
  });

  test('OneRoster zip reads the same people as the loose files', async () => {
    const z = await parse('oneroster-1.1.zip');
    const l = await parse('oneroster-1.1/users.csv');
    assert.deepEqual(z.rows, l.rows);
  });

  test('OneRoster users.csv without orgs.csv says what is missing', async () => {
    const users = await fs.readFile(path.join(R, 'oneroster-1.1/users.csv'));
    const r = await rejection(parseRoster(memory('users.csv', users, { 'manifest.csv': 'propertyName,value\nfile.users,bulk\n' }), DEFAULT_PARSE_OPTIONS));
    assert.match(r.message, /needs orgs\.csv/);
  });

  test('OneRoster: disabled or to-be-deleted users are inactive, guardians skipped, delta is complete for nobody', async () => {
    const users = [
      'sourcedId,status,enabledUser,orgSourcedIds,role,givenName,familyName,identifier,userIds,grades',
      'a,,false,o1,student,Ann,Lee,1,{LocalID:L1},KG',
      'b,tobedeleted,true,o1,teacher,Bo,Kim,2,{LocalID:L2},',
      'c,,true,o1,guardian,Cy,Lee,3,,',
      'd,,true,o1,student,Di,Ray,4,"{LocalID:L4},{State:S4}",PK',
    ].join('\n');
    const input = memory('users.csv', users, { 'manifest.csv': 'propertyName,value\noneroster.version,1.2\nfile.users,delta\n', 'orgs.csv': 'sourcedId,name,type,identifier\no1,One,school,S1\n' });
    const p = await parseRoster(input, DEFAULT_PARSE_OPTIONS);
    assert.deepEqual(p.rows.map((r) => [r.localId, r.role, r.active, r.grade, r.school]), [
      ['1', 'student', false, 'K', 'S1'],
      ['2', 'staff', false, null, 'S1'],
      ['4', 'student', true, 'PK', 'S1'],
    ]);
    assert.deepEqual(p.completeFor, []);
    assert.ok(p.notes.some((n) => /delta/.test(n)));
    const byUserId = await parseRoster(input, { ...DEFAULT_PARSE_OPTIONS, oneRosterId: 'userIds:LocalID' });
    assert.deepEqual(byUserId.rows.map((r) => [r.localId, r.stateId]), [['L1', null], ['L2', null], ['L4', 'S4']]);
  });

  test('Excel: UTF-8 with a byte-order mark and semicolons', async () => {
    const p = await parse('excel/students-bom-semicolon.csv');
    assert.equal(p.rows.length, 5);
    assert.equal(byId(p, '004410')?.firstName, 'Siobhán');
    assert.equal(byId(p, '004410')?.grade, '7');
  });

  test('Excel: UTF-16LE, tab separated', async () => {
    const p = await parse('excel/students-utf16le.csv');
    assert.equal(p.rows.length, 5);
    assert.equal(byId(p, '004410')?.lastName, 'Müller');
  });

  test('Windows-1252, even when the first accent comes after the first 64 KB', async () => {
    const early = Buffer.from('Local ID;First Name;Last Name\r\n1;Jos\xe9;M\xfcller\r\n', 'latin1');
    const p1 = await parseRoster(memory('students.csv', early), DEFAULT_PARSE_OPTIONS);
    assert.deepEqual(p1.rows.map((r) => [r.firstName, r.lastName]), [['José', 'Müller']]);
    const lines = ['Local ID,First Name,Last Name'];
    for (let i = 0; i < 5000; i++) lines.push(`${i},Ann,Lee`);
    lines.push('99999,Jos\xe9,\x93Quoted\x94');
    const late = await parseRoster(memory('students.csv', Buffer.from(lines.join('\r\n'), 'latin1')), DEFAULT_PARSE_OPTIONS);
    assert.equal(late.rows.length, 5001);
    assert.equal(byId(late, '99999')?.firstName, 'José');
    assert.equal(byId(late, '99999')?.lastName, '\u201cQuoted\u201d');
  });

  test('quoted cells with commas and line breaks, header names in any case and spacing, columns in any order', async () => {
    const text = 'first_name,LAST NAME,localid,grade\r\n"Ann, Jr.","Lee\r\nSmith",42,Kindergarten\r\nBo,Kim,43,01\r\n';
    const p = await parseRoster(memory('students.csv', text), DEFAULT_PARSE_OPTIONS);
    assert.deepEqual(p.rows.map((r) => [r.line, r.localId, r.firstName, r.lastName, r.grade]), [
      [2, '42', 'Ann, Jr.', 'Lee\r\nSmith', 'K'],
      [4, '43', 'Bo', 'Kim', '1'],
    ]);
  });

  test('bad: no Local ID column rejects the whole file, saying which columns it has', async () => {
    const r = await rejection(parse('bad/missing-local-id-column/students.csv'));
    assert.equal(r.where.line, 1);
    assert.match(r.message, /no Local ID column/);
    assert.match(r.message, /"First Name", "Last Name", "Grade"/);
  });

  test('bad: an unclosed quote rejects the whole file with its line and column', async () => {
    const r = await rejection(parse('bad/unclosed-quote/students.csv'));
    assert.deepEqual(r.where, { line: 2, column: 2 });
    assert.match(r.message, /Line 2, column 2: a quote/);
  });

  test('bad: a duplicated Local ID rejects both rows and keeps the rest', async () => {
    const p = await parse('bad/duplicate-ids/students.csv');
    assert.equal(p.rows.length, 0);
    assert.deepEqual(p.rowErrors.map((e) => [e.line, e.localId]), [[2, '100100'], [3, '100100']]);
    assert.match(p.rowErrors[0]?.message ?? '', /Line 2: Local ID 100100 appears again on line 3/);
  });

  test('bad: empty required cells are row errors with line numbers', async () => {
    const p = await parse('bad/empty-required/students.csv');
    assert.equal(p.rows.length, 0);
    assert.deepEqual(p.rowErrors.map((e) => e.message), [
      'Line 2: no Local ID; this row was not imported.',
      'Line 3: no first name or last name; this row was not imported.',
    ]);
  });

  test('bad: formula-looking cells are kept as the text they are', async () => {
    const p = await parse('bad/formula-injection/students.csv');
    assert.deepEqual(p.rows.map((r) => [r.localId, r.firstName, r.lastName]), [
      ['100102', '=HYPERLINK("http://example.invalid","x")', '+1-2'],
      ['100103', '@SUM(A1)', '-cmd'],
    ]);
  });

  test('a student and a staff member sharing a Local ID in one file are both row errors', async () => {
    const users = 'sourcedId,role,givenName,familyName,identifier\na,student,Ann,Lee,7\nb,teacher,Bo,Kim,7\nc,student,Cy,Ray,8\n';
    const p = await parseRoster(memory('users.csv', users, { 'manifest.csv': 'propertyName,value\nfile.users,bulk\n', 'orgs.csv': 'sourcedId\n' }), DEFAULT_PARSE_OPTIONS);
    assert.deepEqual(p.rows.map((r) => r.localId), ['8']);
    assert.match(p.rowErrors[0]?.message ?? '', /used by a student and a staff member/);
  });

  test('files that are not rosters are refused with what to do', async () => {
    assert.match((await rejection(parseRoster(memory('roster.xlsx', 'PK\x03\x04'), DEFAULT_PARSE_OPTIONS))).message, /Save As > CSV/);
    assert.match((await rejection(parseRoster(memory('students.csv', Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 1, 2])), DEFAULT_PARSE_OPTIONS))).message, /not text/);
    assert.match((await rejection(parseRoster(memory('people.csv', 'Local ID,First Name,Last Name\n1,a,b\n'), DEFAULT_PARSE_OPTIONS))).message, /cannot tell what "people.csv" holds/);
    assert.match((await rejection(parseRoster(memory('students.csv', ''), DEFAULT_PARSE_OPTIONS))).message, /empty/);
  });

  test('a row with more cells than the header is a row error', async () => {
    const p = await parseRoster(memory('students.csv', 'Local ID,First Name,Last Name\n1,Ann,Lee,extra\n2,Bo,Kim\n'), DEFAULT_PARSE_OPTIONS);
    assert.deepEqual(p.rows.map((r) => r.localId), ['2']);
    assert.match(p.rowErrors[0]?.message ?? '', /^Line 2: 4 cells/);
  });

  test('a big file is streamed, not read whole', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'roster-parse-'));
    try {
      const file = path.join(dir, 'students.csv');
      const fh = await fs.open(file, 'w');
      await fh.write('Local ID,First Name,Last Name,Grade\n');
      for (let i = 0; i < 20; i++) {
        let chunk = '';
        for (let j = 0; j < 1000; j++) chunk += `${i * 1000 + j},First${j},Last${i},${(j % 12) + 1}\n`;
        await fh.write(chunk);
      }
      await fh.close();
      const p = await parseRoster(fileInput(file), DEFAULT_PARSE_OPTIONS);
      assert.equal(p.rows.length, 20_000);
      assert.equal(p.rows[19_999]?.line, 20_001);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
  test('a 100 MB file without a line break is refused after reading a few MB of it, naming the line', async () => {
    let pulled = 0;
    const chunk = Buffer.alloc(256 * 1024, 'x');
    const endless: RosterInput = {
      name: 'students.csv',
      // 100 MB, made as it is read: what the reader holds can only be what it pulled.
      source: async function* () {
        for (let n = 0; n < 400; n++) {
          pulled += chunk.length;
          yield chunk;
        }
      },
      randomAccess: () => Promise.reject(new Error('not a zip')),
      sibling: async () => undefined,
    };
    const r = await rejection(parseRoster(endless, DEFAULT_PARSE_OPTIONS));
    assert.equal(r.message, 'Line 1 is longer than 1 MB, far longer than any roster row: is this really a roster saved as CSV? Save the roster from your spreadsheet or student information system as CSV and upload that file.');
    assert.ok(pulled < 5 * 1024 * 1024, `read ${pulled} bytes of 100 MB`);
  });

  test('an over-long line further down is refused with its line number, counting quoted line breaks', async () => {
    const text = `Local ID,First Name,Last Name\n1,"Ann\nMarie",Lee\n2,Bo,${'x'.repeat(2 * 1024 * 1024)}\n`;
    const r = await rejection(parseRoster(memory('students.csv', text), DEFAULT_PARSE_OPTIONS));
    assert.deepEqual(r.where, { line: 4 });
    assert.match(r.message, /^Line 4 is longer than 1 MB/);
  });
});
