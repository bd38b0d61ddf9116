import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { createFsBlobStore } from '../../src/blobs/fsBlobStore.js';
import type { BlobStore } from '../../src/blobs/blobStore.js';
import { openDb, type Db } from '../../src/db/db.js';
import { findPerson } from '../../src/people/people.js';
import { getDailyImport, listImports, runDueImports, type ScheduleOptions, setDailyImport } from '../../src/roster/index.js';
import { createDatabase, dropDatabase, DIALECTS } from '../helpers/databases.js';
import { FIXTURES } from '../helpers/lanyard.js';

const R = path.join(FIXTURES, 'rosters');

for (const dialect of DIALECTS) {
  describe(`the daily roster import (${dialect})`, () => {
    let db: Db;
    let blobs: BlobStore;
    let dir: string;
    let url: string | undefined;
    let districtId: number;
    /** What the district's data/ folder holds, by name. */
    const folder = new Map<string, { name: string; blobKey: string; sha256: string }>();

    before(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'roster-schedule-'));
      url = await createDatabase(dialect);
      db = await openDb({ dataDir: dir, databaseUrl: url });
      blobs = createFsBlobStore(path.join(dir, 'blobs'));
      const d = await db.kysely
        .insertInto('districts')
        .values({ slug: 'nightly', name: 'N', sftp_password_hash: 'x', sftp_auth: 'password', created_at: new Date().toISOString() })
        .returning('id')
        .executeTakeFirstOrThrow();
      districtId = d.id;
      for (const [rel, name] of [['oneroster-1.1/manifest.csv', 'manifest.csv'], ['oneroster-1.1/orgs.csv', 'orgs.csv'], ['oneroster-1.1/users.csv', 'users.csv'], ['clever/schools.csv', 'schools.csv']]) {
        const b = await blobs.putBuffer(await fs.readFile(path.join(R, rel as string)));
        folder.set(name as string, { name: name as string, blobKey: b.key, sha256: b.sha256 });
      }
    });
    after(async () => {
      await db?.close();
      await dropDatabase(url);
      await fs.rm(dir, { recursive: true, force: true });
    });

    const changedFor: number[] = [];
    const opts = (): ScheduleOptions => ({
      db,
      blobs,
      log: pino({ level: 'silent' }),
      listDataFiles: async () => [...folder.values()],
      findDataFile: async (_d, name) => folder.get(name),
      onPeopleChanged: (id) => {
        changedFor.push(id);
      },
    });

    test('runs once a day at the chosen time (UTC), schools first, OneRoster companions read with users.csv', async () => {
      assert.equal(await setDailyImport(db, districtId, '2:30'), '02:30');
      assert.equal(await getDailyImport(db, districtId), '02:30');
      assert.deepEqual(await runDueImports(opts(), new Date('2026-11-25T02:29:00Z')), [], 'not yet');
      const [run] = await runDueImports(opts(), new Date('2026-11-25T02:30:10Z'));
      assert.deepEqual(run?.results.map((r) => [r.file, r.result.outcome]), [['schools.csv', 'imported'], ['users.csv', 'imported']]);
      assert.equal((await findPerson(db, districtId, '004410'))?.school, '201');
      assert.deepEqual(changedFor, [districtId], 'photos waiting for the new people are told');
      assert.deepEqual(await runDueImports(opts(), new Date('2026-11-25T23:00:00Z')), [], 'once a day');
      const [next] = await runDueImports(opts(), new Date('2026-11-26T03:00:00Z'));
      const users = next?.results.find((r) => r.file === 'users.csv')?.result;
      assert.equal(users?.outcome === 'imported' ? users.counts.unchanged : -1, 48);
      const history = await listImports(db, districtId);
      assert.ok(history.every((h) => h.source === 'schedule'));
      assert.equal(history.length, 4);
    });

    test('a bad time is refused with the format; off removes the schedule', async () => {
      await assert.rejects(setDailyImport(db, districtId, '25:00'), /HH:MM in UTC/);
      assert.equal(await setDailyImport(db, districtId, null), null);
      assert.equal(await getDailyImport(db, districtId), null);
      assert.deepEqual(await runDueImports(opts(), new Date('2026-11-27T23:59:00Z')), []);
    });
  });
}
