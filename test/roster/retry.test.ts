import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import type { BlobStore } from '../../src/blobs/blobStore.js';
import { createFsBlobStore } from '../../src/blobs/fsBlobStore.js';
import { openDb, type Db } from '../../src/db/db.js';
import { insertEvent } from '../../src/intake/events.js';
import { startIntakeWorker, type IntakeHandler } from '../../src/intake/worker.js';
import { findPerson } from '../../src/people/people.js';
import { bufferSource, createRosterHandler, importRoster } from '../../src/roster/index.js';
import { createDatabase, dropDatabase, DIALECTS } from '../helpers/databases.js';

for (const dialect of DIALECTS) {
  describe(`a roster import that meets a concurrent change (${dialect})`, () => {
    let db: Db;
    let blobs: BlobStore;
    let dir: string;
    let url: string | undefined;
    let districtId: number;

    before(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'roster-retry-'));
      url = await createDatabase(dialect);
      db = await openDb({ dataDir: dir, databaseUrl: url });
      blobs = createFsBlobStore(path.join(dir, 'blobs'));
      const d = await db.kysely
        .insertInto('districts')
        .values({ slug: 'busy', name: 'Busy', sftp_password_hash: 'x', sftp_auth: 'password', created_at: new Date().toISOString() })
        .returning('id')
        .executeTakeFirstOrThrow();
      districtId = d.id;
    });
    after(async () => {
      await db?.close();
      await dropDatabase(url);
      await fs.rm(dir, { recursive: true, force: true });
    });

    test('is read again and imported, without counting a failed attempt', async () => {
      const blob = await blobs.putBuffer(Buffer.from('Local ID,First Name,Last Name\n1,Ann,Lee\n2,Bo,Kim\n3,Cy,Ng\n'));
      const event = await db.kysely.transaction().execute((trx) => insertEvent(trx, { districtId, source: 'sftp', folder: 'data', file: 'students.csv', action: 'upload', blob }));
      const rosters = createRosterHandler({ db, blobs, log: pino({ level: 'silent' }), findDataFile: async () => undefined, settleSeconds: 0 });
      let decisions = 0;
      // Between reading students.csv and applying it, another import (the CLI's, a second node's) adds Ann:
      // the plan made from the first read would create her twice. Forced here, every time, on the first read only.
      const interleaved: IntakeHandler = {
        ...rosters,
        async decide(e) {
          const decision = await rosters.decide(e);
          if (++decisions === 1) {
            const meanwhile = await importRoster(
              db,
              { districtId, file: 'more-students.csv', source: 'cli', eventId: null, sha256: null },
              { name: 'more-students.csv', source: bufferSource('Local ID,First Name,Last Name\n1,Ann,Lee\n'), randomAccess: () => Promise.reject(new Error('not a zip')), sibling: async () => undefined },
            );
            assert.equal(meanwhile.outcome, 'imported', meanwhile.message);
          }
          return decision;
        },
      };
      const worker = startIntakeWorker({ db, log: pino({ level: 'silent' }), handlers: [interleaved], pollMs: 20 });
      let row;
      try {
        for (const deadline = Date.now() + 30_000; ; ) {
          row = await db.kysely.selectFrom('intake_events').selectAll().where('id', '=', event).executeTakeFirstOrThrow();
          if (row.outcome !== 'received') break;
          if (Date.now() > deadline) assert.fail('students.csv is still waiting');
          await new Promise((r) => setTimeout(r, 20));
        }
      } finally {
        await worker.stop();
      }
      assert.equal(decisions, 2, 'read once more after the change');
      assert.equal(row.outcome, 'imported', row.message);
      assert.match(row.message, /^Imported students\.csv: 2 created, 0 updated, 1 unchanged, 0 deactivated/);
      assert.equal(row.attempts, 1, 'the retry is not a failed attempt');
      for (const id of ['1', '2', '3']) assert.ok(await findPerson(db, districtId, id), `person ${id}`);
    });
  });
}
