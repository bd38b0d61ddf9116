import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openDb, type Db } from '../../src/db/db.js';
import { looseLocalIdKey } from '../../src/localId/localId.js';
import { findPerson } from '../../src/people/people.js';
import { bufferSource, DEFAULT_ROSTER_SETTINGS, fileInput, getRosterSettings, type ImportResult, importRoster, listImports, listSchools, type RosterInput, saveRosterSettings } from '../../src/roster/index.js';
import { createDatabase, dropDatabase, DIALECTS } from '../helpers/databases.js';
import { FIXTURES } from '../helpers/lanyard.js';

const R = path.join(FIXTURES, 'rosters');

function memory(name: string, text: string): RosterInput {
  return { name, source: bufferSource(text), randomAccess: () => Promise.reject(new Error('not a zip')), sibling: () => Promise.resolve(undefined) };
}

function students(ids: number[], last = 'Lee'): string {
  return `Local ID,First Name,Last Name,Grade\n${ids.map((i) => `S${i},Kid${i},${last},5`).join('\n')}\n`;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

function imported(r: ImportResult) {
  assert.equal(r.outcome, 'imported', r.message);
  if (r.outcome !== 'imported') throw new Error('unreachable');
  return r;
}

for (const dialect of DIALECTS) {
  describe(`applying rosters (${dialect})`, () => {
    let db: Db;
    let dir: string;
    let url: string | undefined;
    let n = 0;

    before(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'roster-apply-'));
      url = await createDatabase(dialect);
      db = await openDb({ dataDir: dir, databaseUrl: url });
    });
    after(async () => {
      await db?.close();
      await dropDatabase(url);
      await fs.rm(dir, { recursive: true, force: true });
    });

    /** Each test gets a district of its own. */
    async function district(): Promise<number> {
      const d = await db.kysely
        .insertInto('districts')
        .values({ slug: `d${++n}`, name: 'D', sftp_password_hash: 'x', sftp_auth: 'password', created_at: new Date().toISOString() })
        .returning('id')
        .executeTakeFirstOrThrow();
      return d.id;
    }
    const meta = (districtId: number, file: string) => ({ districtId, file, source: 'cli', eventId: null, sha256: null });
    const run = (districtId: number, rel: string, opts = {}) => importRoster(db, meta(districtId, path.basename(rel)), fileInput(path.join(R, rel)), opts);

    test('a grade nobody knows or an email that is not one is imported as written and said, in the report and the history', async () => {
      const d = await district();
      const csv = ['Local ID,First Name,Last Name,Grade,Email', 'W1,Ann,Lee,Z9,ann@school.org', 'W2,Bo,Lee,5,b@y', 'W3,Cy,Lee,K,cy@school.org', 'W4,,Lee,4,x@y', ''].join('\n');
      const r = imported(await importRoster(db, meta(d, 'students.csv'), memory('students.csv', csv)));
      assert.deepEqual(r.counts, { created: 3, updated: 0, unchanged: 0, deactivated: 0, reactivated: 0, errors: 1 });
      assert.match(r.message, /Values that look wrong: Line 2: the grade "Z9" is not one Lanyard knows .*; imported as written\. Line 3: the email "b@y" is not an email address; imported as written\./);
      assert.doesNotMatch(r.message, /Line 5: the email/, 'a row left out is not also warned about');
      assert.equal((await findPerson(db, d, 'W1'))?.grade, 'Z9', 'kept as written');
      const [record] = await listImports(db, d, 1);
      assert.deepEqual(record?.rowWarnings.map((w) => [w.line, w.localId]), [[2, 'W1'], [3, 'W2']]);
      assert.deepEqual(record?.rowErrors.map((e) => e.line), [5], 'the errors are kept apart from the warnings');

      // A spelling the district declares in its grade settings is known.
      await saveRosterSettings(db, d, { ...DEFAULT_ROSTER_SETTINGS, gradeOverrides: { Z9: 'Z9' } });
      const again = imported(await importRoster(db, meta(d, 'students.csv'), memory('students.csv', csv)));
      assert.doesNotMatch(again.message, /grade "Z9"/);
      assert.match(again.message, /the email "b@y" is not an email address/);
    });

    test('first import creates everyone; the same file again changes nothing; next month creates, updates and (opted in) deactivates', async () => {
      const d = await district();
      const first = imported(await run(d, 'native/students.csv'));
      assert.deepEqual(first.counts, { created: 40, updated: 0, unchanged: 0, deactivated: 0, reactivated: 0, errors: 0 });
      assert.match(first.message, /^Imported students\.csv: 40 created, 0 updated, 0 unchanged, 0 deactivated, 0 reactivated, 0 errors\./);
      const p = await findPerson(db, d, '004410');
      assert.equal(p?.firstName, 'Siobhán');
      assert.equal(p?.grade, '7');
      assert.equal(p?.active, true);
      const key = await db.kysely.selectFrom('people').select('local_id_key').where('district_id', '=', d).where('local_id', '=', '004410').executeTakeFirstOrThrow();
      assert.equal(key.local_id_key, looseLocalIdKey('004410'));
      assert.deepEqual((await listSchools(db, d)).map((s) => s.code), ['101', '201', '301']);

      assert.deepEqual(imported(await run(d, 'native/students.csv')).counts, { created: 0, updated: 0, unchanged: 40, deactivated: 0, reactivated: 0, errors: 0 });

      // Off by default: the two students missing next month stay active, and the report says so.
      const offByDefault = imported(await run(d, 'native/students-later.csv', { dryRun: true }));
      assert.deepEqual(offByDefault.counts, { created: 1, updated: 1, unchanged: 37, deactivated: 0, reactivated: 0, errors: 0 });
      assert.match(offByDefault.message, /2 active students are not in this file and stay active/);

      await saveRosterSettings(db, d, { ...DEFAULT_ROSTER_SETTINGS, deactivateMissing: { student: true, staff: false } });
      const later = imported(await run(d, 'native/students-later.csv'));
      assert.deepEqual(later.counts, { created: 1, updated: 1, unchanged: 37, deactivated: 2, reactivated: 0, errors: 0 });
      assert.equal((await findPerson(db, d, '004412'))?.lastName, 'Renamed');
      assert.equal((await findPerson(db, d, '004410'))?.active, false);
      assert.equal((await findPerson(db, d, '100199'))?.firstName, 'New');

      const back = imported(await run(d, 'native/students.csv'));
      assert.deepEqual(back.counts, { created: 0, updated: 1, unchanged: 37, deactivated: 1, reactivated: 2, errors: 0 });
      assert.equal((await findPerson(db, d, '004410'))?.active, true);
      assert.equal((await findPerson(db, d, '100199'))?.active, false);

      const history = await listImports(db, d);
      assert.equal(history.length, 4, 'dry runs are not history');
      assert.deepEqual([history[0]?.file, history[0]?.reactivated, history[0]?.outcome], ['students.csv', 2, 'imported']);
    });

    test('a dry run reports exactly what would change and changes nothing', async () => {
      const d = await district();
      const dry = imported(await run(d, 'native/students.csv', { dryRun: true }));
      assert.equal(dry.counts.created, 40);
      assert.match(dry.message, /^Dry run of students\.csv: 40 created.*\(nothing was changed\)/);
      assert.equal(await findPerson(db, d, '004410'), undefined);
      assert.equal((await listImports(db, d)).length, 0);
      imported(await run(d, 'native/students.csv'));
      const dryLater = imported(await run(d, 'native/students-later.csv', { dryRun: true }));
      assert.deepEqual(dryLater.plan.updates.map((u) => [u.localId, u.changed]), [['004412', ['lastName', 'email']]]);
      assert.equal((await findPerson(db, d, '004412'))?.lastName, 'Schmidt');
    });

    test('the guard: a file missing 30% of students deactivates nobody and says why; forced, it does', async () => {
      const d = await district();
      await saveRosterSettings(db, d, { ...DEFAULT_ROSTER_SETTINGS, deactivateMissing: { student: true, staff: true } });
      imported(await importRoster(db, meta(d, 'students.csv'), memory('students.csv', students(range(0, 100)))));
      const partial = memory('students.csv', students([...range(30, 100), 500], 'Changed'));
      const held = imported(await importRoster(db, meta(d, 'students.csv'), partial));
      assert.deepEqual(held.counts, { created: 1, updated: 70, unchanged: 0, deactivated: 0, reactivated: 0, errors: 0 });
      assert.match(held.message, /No students were deactivated: 30 of 100 active students \(30%\) are missing from this file, more than the 10% limit/);
      assert.match(held.message, /--force-deactivate/);
      assert.equal((await findPerson(db, d, 'S0'))?.active, true);
      assert.equal((await findPerson(db, d, 'S50'))?.lastName, 'Changed');
      const forced = imported(await importRoster(db, meta(d, 'students.csv'), partial, { forceDeactivate: true }));
      assert.deepEqual(forced.counts, { created: 0, updated: 0, unchanged: 71, deactivated: 30, reactivated: 0, errors: 0 });
      assert.equal((await findPerson(db, d, 'S0'))?.active, false);
      // Under the limit, missing people go without force.
      const small = imported(await importRoster(db, meta(d, 'students.csv'), memory('students.csv', students([...range(35, 100), 500], 'Changed'))));
      assert.equal(small.counts.deactivated, 5);
    });

    test('a Local ID already used by the other role is a row error; the rest of the file applies', async () => {
      const d = await district();
      imported(await run(d, 'native/staff.csv'));
      const r = imported(await importRoster(db, meta(d, 'students.csv'), memory('students.csv', 'Local ID,First Name,Last Name\nT600,Kid,Clash\nS1,Ann,Lee\n')));
      assert.deepEqual(r.counts, { created: 1, updated: 0, unchanged: 0, deactivated: 0, reactivated: 0, errors: 1 });
      assert.match(r.rowErrors[0]?.message ?? '', /^Line 2: Local ID T600 already belongs to a staff member \(Zoe Tanaka\)/);
      assert.equal((await findPerson(db, d, 'T600'))?.role, 'staff');
      const [last] = await listImports(db, d);
      assert.equal(last?.errors, 1);
      assert.deepEqual(last?.rowErrors.map((e) => e.line), [2]);
    });

    test('rejected files change nothing and are in the history; row errors keep the rest', async () => {
      const d = await district();
      const rej = await run(d, 'bad/unclosed-quote/students.csv');
      assert.equal(rej.outcome, 'rejected');
      assert.match(rej.message, /^students\.csv was not imported: Line 2, column 2: a quote/);
      assert.equal(await findPerson(db, d, '100101'), undefined);
      const dup = imported(await run(d, 'bad/duplicate-ids/students.csv'));
      assert.deepEqual([dup.counts.created, dup.counts.errors], [0, 2]);
      const formula = imported(await run(d, 'bad/formula-injection/students.csv'));
      assert.equal(formula.counts.created, 2);
      assert.equal((await findPerson(db, d, '100102'))?.firstName, '=HYPERLINK("http://example.invalid","x")');
      const history = await listImports(db, d);
      assert.deepEqual(history.map((h) => h.outcome), ['imported', 'imported', 'rejected']);
    });

    test('OneRoster bulk: students and staff in one file, each role guarded on its own; Clever schools named', async () => {
      const d = await district();
      const r = imported(await run(d, 'oneroster-1.1.zip'));
      assert.deepEqual([r.counts.created, r.counts.errors], [48, 0]);
      assert.equal((await findPerson(db, d, 'T602'))?.role, 'staff');
      assert.deepEqual((await listSchools(db, d)).map((s) => [s.code, s.name]), [['101', 'Lincoln Elementary'], ['201', 'Roosevelt Middle'], ['301', 'Jefferson High']]);
      const c = await district();
      imported(await run(c, 'clever/students.csv'));
      imported(await run(c, 'clever/schools.csv'));
      assert.deepEqual((await listSchools(db, c)).map((s) => s.name), ['Lincoln Elementary', 'Roosevelt Middle', 'Jefferson High']);
      imported(await run(c, 'clever/students.csv'));
      assert.equal((await listSchools(db, c))[0]?.name, 'Lincoln Elementary', 'a bare code never erases a known name');
    });

    test('a file without a column for a detail (email, school, State ID) leaves that detail as it was', async () => {
      const d = await district();
      imported(await run(d, 'native/students.csv'));
      const r = imported(await run(d, 'excel/students-bom-semicolon.csv'));
      assert.deepEqual([r.counts.updated, r.counts.unchanged], [0, 5]);
      const p = await findPerson(db, d, '004410');
      assert.deepEqual([p?.email, p?.school, p?.stateId], ['siobhan.muller@example.org', '201', 'ST9001000']);
    });

    test('OneRoster 1.2 delta: a user without a roles.csv row keeps their role and school; someone new without one is a row error', async () => {
      const d = await district();
      const manifest = (mode: string) => `propertyName,value\noneroster.version,1.2\nfile.orgs,bulk\nfile.roles,${mode}\nfile.users,${mode}\n`;
      const orgs = 'sourcedId,name,type,identifier\no101,Lincoln Elementary,school,101\no201,Roosevelt Middle,school,201\n';
      const users = (rows: string[]) => `sourcedId,status,enabledUser,givenName,familyName,identifier,email,grades\n${rows.join('\n')}\n`;
      const oneRoster = (mode: string, userRows: string[], roleRows: string[]): RosterInput => {
        const files: Record<string, string> = { 'manifest.csv': manifest(mode), 'orgs.csv': orgs, 'roles.csv': `userSourcedId,roleType,role,orgSourcedId\n${roleRows.join('\n')}\n` };
        return { ...memory('users.csv', users(userRows)), sibling: (n) => Promise.resolve(files[n] === undefined ? undefined : bufferSource(files[n] as string)) };
      };
      imported(
        await importRoster(
          db,
          meta(d, 'users.csv'),
          oneRoster('bulk', ['u1,active,true,Ann,Lee,100001,ann@example.org,05', 'u2,active,true,Bo,Kim,T1,bo@example.org,'], ['u1,primary,student,o101', 'u2,primary,teacher,o201']),
        ),
      );

      const delta = imported(
        await importRoster(
          db,
          meta(d, 'users.csv'),
          oneRoster(
            'delta',
            ['u1,active,true,Annie,Lee,100001,ann@example.org,06', 'u2,active,true,Bo,Kim-Park,T1,bo@example.org,', 'u3,active,true,Cy,New,100003,,03'],
            [],
          ),
        ),
      );
      assert.deepEqual([delta.counts.updated, delta.counts.created, delta.counts.errors], [2, 0, 1]);
      assert.match(delta.rowErrors[0]?.message ?? '', /^Line 4: 100003 is not in Lanyard yet, and this delta's roles\.csv has no row for them/);
      const ann = await findPerson(db, d, '100001');
      assert.deepEqual([ann?.firstName, ann?.role, ann?.school, ann?.grade], ['Annie', 'student', '101', '6']);
      const bo = await findPerson(db, d, 'T1');
      assert.deepEqual([bo?.lastName, bo?.role, bo?.school, bo?.grade], ['Kim-Park', 'staff', '201', null]);
    });

    test('settings are per district and grade overrides apply', async () => {
      const d = await district();
      assert.deepEqual(await getRosterSettings(db, d), DEFAULT_ROSTER_SETTINGS);
      await saveRosterSettings(db, d, { ...DEFAULT_ROSTER_SETTINGS, gradeOverrides: { P3: 'PK' } });
      imported(await importRoster(db, meta(d, 'students.csv'), memory('students.csv', 'Local ID,First Name,Last Name,Grade\n1,Ann,Lee,P3\n2,Bo,Kim,KG\n')));
      assert.equal((await findPerson(db, d, '1'))?.grade, 'PK');
      assert.equal((await findPerson(db, d, '2'))?.grade, 'K');
    });
  });
}
