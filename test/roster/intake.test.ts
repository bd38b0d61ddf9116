import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openDb, type Db } from '../../src/db/db.js';
import { getDistrict } from '../../src/districts/districts.js';
import { findPerson, type Person } from '../../src/people/people.js';
import { DIALECTS } from '../helpers/databases.js';
import { FIXTURES, Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { opensshSftp } from '../helpers/openssh.js';

const PASSWORD = 'correct horse battery staple';
const R = path.join(FIXTURES, 'rosters');

interface Event {
  id: number;
  file: string;
  folder: string;
  outcome: string;
  message: string;
}

for (const dialect of DIALECTS) {
  describe(`roster files through the SFTP drop box (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let db: Db;
    let tmp: string;
    const tokens = new Map<string, string>();

    before(async () => {
      ws = await Workspace.create(dialect);
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'roster-intake-'));
      for (const slug of ['native', 'clever', 'oneroster', 'onezip', 'excel', 'bad', 'replaced', 'guarded']) {
        await ws.district(slug, PASSWORD);
        tokens.set(slug, await ws.token(slug));
      }
      server = await ws.start();
      db = await openDb({ dataDir: ws.dataDir, databaseUrl: ws.databaseUrl });
    });
    after(async () => {
      await db?.close();
      await server?.stop();
      await ws?.dispose();
      if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    });

    async function events(slug: string): Promise<Event[]> {
      const res = await fetch(server.url('/api/v1/intake/events'), { headers: { authorization: `Bearer ${tokens.get(slug)}` } });
      assert.equal(res.status, 200);
      return ((await res.json()) as { events: Event[] }).events.filter((e) => e.folder === 'data');
    }

    /** Uploads files with OpenSSH's sftp, as a district's nightly job does, and waits for each one's outcome. */
    async function deliver(slug: string, files: Array<[local: string, remote: string]>): Promise<Event[]> {
      return sftpThenWait(slug, files.map(([l, name]) => `put ${l} data/${name}`));
    }

    /** Runs sftp commands, then waits until each data/ event they made has its outcome. */
    async function sftpThenWait(slug: string, commands: string[]): Promise<Event[]> {
      const before = (await events(slug)).length;
      const r = await opensshSftp({ port: server.sftpPort, username: slug, password: PASSWORD }, commands);
      assert.equal(r.code, 0, r.output);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const mine = (await events(slug)).slice(before);
        if (mine.length === commands.length && mine.every((e) => e.outcome !== 'received')) return mine;
        if (Date.now() > deadline) assert.fail(`still waiting for ${JSON.stringify(mine)}`);
        await new Promise((res) => setTimeout(res, 200));
      }
    }
    const fixture = (rel: string): string => path.join(R, rel);
    async function person(slug: string, localId: string): Promise<Person | undefined> {
      return findPerson(db, (await getDistrict(db, slug)).id, localId);
    }

    test('native students.csv and staff.csv are imported; next month\'s file updates and, opted in, deactivates', async () => {
      const [students, staff] = await deliver('native', [
        [fixture('native/students.csv'), 'students.csv'],
        [fixture('native/staff.csv'), 'staff.csv'],
      ]);
      assert.equal(students?.outcome, 'imported', students?.message);
      assert.match(students?.message ?? '', /^Imported students\.csv: 40 created, 0 updated, 0 unchanged, 0 deactivated, 0 reactivated, 0 errors\./);
      assert.match(staff?.message ?? '', /^Imported staff\.csv: 8 created/);
      assert.deepEqual(await person('native', '004410').then((p) => [p?.firstName, p?.lastName, p?.role, p?.grade, p?.active]), ['Siobhán', 'Müller', 'student', '7', true]);
      assert.equal((await person('native', 'T605'))?.role, 'staff');

      const settings = await ws.cli(['roster', 'settings', 'native', '--deactivate-missing', 'students']);
      assert.equal(settings.code, 0, settings.stderr);
      const [later] = await deliver('native', [[fixture('native/students-later.csv'), 'students.csv']]);
      assert.equal(later?.outcome, 'imported');
      assert.match(later?.message ?? '', /^Imported students\.csv: 1 created, 1 updated, 37 unchanged, 2 deactivated, 0 reactivated, 0 errors\./);
      assert.equal((await person('native', '004412'))?.lastName, 'Renamed');
      assert.equal((await person('native', '004410'))?.active, false);
      assert.equal((await person('native', '100199'))?.firstName, 'New');
    });

    test('Clever: schools, students, teachers and staff', async () => {
      const got = await deliver('clever', [
        [fixture('clever/schools.csv'), 'schools.csv'],
        [fixture('clever/students.csv'), 'students.csv'],
        [fixture('clever/teachers.csv'), 'teachers.csv'],
        [fixture('clever/staff.csv'), 'staff.csv'],
      ]);
      assert.deepEqual(got.map((e) => e.outcome), ['imported', 'imported', 'imported', 'imported'], JSON.stringify(got));
      assert.match(got[0]?.message ?? '', /3 schools recorded/);
      assert.match(got[1]?.message ?? '', /40 created/);
      assert.match(got[2]?.message ?? '', /3 created/);
      assert.match(got[3]?.message ?? '', /5 created/);
      assert.equal((await person('clever', '004410'))?.stateId, 'ST9001000');
      assert.equal((await person('clever', 'T604'))?.firstName, 'José');
    });

    test('OneRoster loose files, arriving one by one: users.csv is imported once orgs.csv and manifest.csv are there', async () => {
      const [early] = await deliver('oneroster', [[fixture('oneroster-1.1/users.csv'), 'users.csv']]);
      assert.equal(early?.outcome, 'rejected');
      assert.match(early?.message ?? '', /needs manifest\.csv and orgs\.csv/);
      assert.equal(await person('oneroster', '004410'), undefined);
      const [manifest] = await deliver('oneroster', [[fixture('oneroster-1.1/manifest.csv'), 'manifest.csv']]);
      const [orgs] = await deliver('oneroster', [[fixture('oneroster-1.1/orgs.csv'), 'orgs.csv']]);
      assert.equal(manifest?.outcome, 'imported');
      assert.match(orgs?.message ?? '', /3 schools/);
      const [users] = await deliver('oneroster', [[fixture('oneroster-1.1/users.csv'), 'users.csv']]);
      assert.equal(users?.outcome, 'imported', users?.message);
      assert.match(users?.message ?? '', /^Imported users\.csv: 48 created/);
      assert.deepEqual(await person('oneroster', '004410').then((p) => [p?.school, p?.grade]), ['201', '7']);
      assert.equal((await person('oneroster', 'T600'))?.role, 'staff');
    });

    test('a OneRoster zip', async () => {
      const [zip] = await deliver('onezip', [[fixture('oneroster-1.1.zip'), 'oneroster.zip']]);
      assert.equal(zip?.outcome, 'imported', zip?.message);
      assert.match(zip?.message ?? '', /48 created/);
      assert.equal((await person('onezip', '100139'))?.lastName, 'Nguyen');
    });

    test('spreadsheet exports: UTF-8 with BOM and semicolons, UTF-16 with tabs', async () => {
      const got = await deliver('excel', [
        [fixture('excel/students-bom-semicolon.csv'), 'students-bom-semicolon.csv'],
        [fixture('excel/students-utf16le.csv'), 'students-utf16le.csv'],
      ]);
      assert.deepEqual(got.map((e) => e.outcome), ['imported', 'imported'], JSON.stringify(got));
      assert.match(got[0]?.message ?? '', /5 created/);
      assert.match(got[1]?.message ?? '', /0 created, 0 updated, 5 unchanged/);
      assert.equal((await person('excel', '004410'))?.firstName, 'Siobhán');
    });

    test('bad files: rejected whole with line and column, or partly with row errors', async () => {
      const bad = ['missing-local-id-column', 'unclosed-quote', 'duplicate-ids', 'empty-required', 'formula-injection'];
      const got = await deliver('bad', bad.map((b) => [fixture(`bad/${b}/students.csv`), `${b}-students.csv`]));
      const [missing, unclosed, dup, empty, formula] = got;
      assert.equal(missing?.outcome, 'rejected');
      assert.match(missing?.message ?? '', /Line 1: there is no Local ID column/);
      assert.equal(unclosed?.outcome, 'rejected');
      assert.match(unclosed?.message ?? '', /Line 2, column 2: a quote/);
      assert.equal(dup?.outcome, 'imported');
      assert.match(dup?.message ?? '', /0 created.*2 errors.*Line 2: Local ID 100100 appears again on line 3/);
      assert.equal(empty?.outcome, 'imported');
      assert.match(empty?.message ?? '', /2 errors.*Line 2: no Local ID.*Line 3: no first name or last name/);
      assert.equal(formula?.outcome, 'imported');
      assert.match(formula?.message ?? '', /2 created/);
      assert.equal(await person('bad', '100101'), undefined, 'nothing from a rejected file');
      assert.equal((await person('bad', '100103'))?.firstName, '@SUM(A1)');
    });

    test('a file replaced while it settles is imported once, as its newest version; a deleted file changes nobody', async () => {
      const students = fixture('native/students.csv');
      const got = await sftpThenWait('replaced', [`put ${students} data/students.csv`, `put ${students} data/students.csv`, 'rm data/students.csv']);
      assert.deepEqual(got.map((e) => e.outcome), ['superseded', 'superseded', 'removed'], JSON.stringify(got));
      assert.match(got[0]?.message ?? '', /A newer students\.csv arrived before this one was imported/);
      assert.match(got[2]?.message ?? '', /deleted from data\/\. Nobody changes/);
      assert.equal(await person('replaced', '004410'), undefined);
    });

    test('the guard through the drop box: a file missing 30% of students deactivates no one and says how to force it', async () => {
      const full = path.join(tmp, 'guard-full.csv');
      const partial = path.join(tmp, 'guard-partial.csv');
      const lines = (ids: number[]) => `Local ID,First Name,Last Name\r\n${ids.map((i) => `G${i},Kid${i},Lee\r\n`).join('')}`;
      await fs.writeFile(full, lines(Array.from({ length: 50 }, (_, i) => i)));
      await fs.writeFile(partial, lines(Array.from({ length: 35 }, (_, i) => i + 15)));
      await deliver('guarded', [[full, 'students.csv']]);
      const on = await ws.cli(['roster', 'settings', 'guarded', '--deactivate-missing', 'students']);
      assert.equal(on.code, 0, on.stderr);
      const [held] = await deliver('guarded', [[partial, 'students.csv']]);
      assert.equal(held?.outcome, 'imported');
      assert.match(held?.message ?? '', /0 deactivated/);
      assert.match(held?.message ?? '', /No students were deactivated: 15 of 50 active students \(30%\) are missing from this file, more than the 10% limit/);
      assert.match(held?.message ?? '', /lanyard roster import guarded students\.csv --force-deactivate/);
      assert.equal((await person('guarded', 'G0'))?.active, true);
    });
  });
}
