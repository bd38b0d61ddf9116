import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BlobStore } from '../../src/blobs/blobStore.js';
import { createFsBlobStore } from '../../src/blobs/fsBlobStore.js';
import { openDb, type Db } from '../../src/db/db.js';
import { insertEvent } from '../../src/intake/events.js';
import { claimEvents, finishEvent } from '../../src/intake/queue.js';
import { looseLocalIdKey } from '../../src/localId/localId.js';
import { photoIntakeHandler } from '../../src/photos/intake.js';
import { createDatabase, dropDatabase, DIALECTS } from '../helpers/databases.js';
import { PHOTOS } from './harness.js';

for (const dialect of DIALECTS) {
  describe(`which person a photo's name finds (${dialect})`, () => {
    let db: Db;
    let blobs: BlobStore;
    let dir: string;
    let url: string | undefined;
    let districtId: number;

    before(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'photo-matching-'));
      url = await createDatabase(dialect);
      db = await openDb({ dataDir: dir, databaseUrl: url });
      blobs = createFsBlobStore(path.join(dir, 'blobs'));
      const now = new Date().toISOString();
      districtId = (
        await db.kysely.insertInto('districts').values({ slug: 'm', name: 'M', sftp_password_hash: 'x', sftp_auth: 'password', created_at: now }).returning('id').executeTakeFirstOrThrow()
      ).id;
      for (const localId of ['004410', 'AB12', 'ab12']) {
        await db.kysely
          .insertInto('people')
          .values({ district_id: districtId, local_id: localId, local_id_key: looseLocalIdKey(localId), first_name: 'First', last_name: localId, role: 'student', school: null, grade: null, email: null, state_id: null, active: 1, created_at: now, updated_at: now })
          .execute();
      }
    });
    after(async () => {
      await db?.close();
      await dropDatabase(url);
      await fs.rm(dir, { recursive: true, force: true });
    });

    /** One upload through the photo handler, the way the intake worker runs it. */
    const deliver = async (file: string) => {
      const blob = await blobs.putBuffer(await fs.readFile(path.join(PHOTOS, 'valid/004410.jpg')));
      const id = await db.kysely.transaction().execute((trx) => insertEvent(trx, { districtId, source: 'sftp', folder: 'idphotos', file, action: 'upload', blob }));
      const [event] = await claimEvents(db, { folder: 'idphotos', limit: 1, leaseSeconds: 60 });
      assert.equal(event?.id, id);
      const decision = await photoIntakeHandler({ db, blobs }).decide(event);
      await db.kysely.transaction().execute(async (trx) => {
        assert.ok(await finishEvent(trx, id, decision));
        await decision.apply?.(trx);
      });
      await decision.afterCommit?.();
      return decision;
    };

    test('without its leading zeros, the name still finds the person, and the rule used is recorded', async () => {
      const d = await deliver('4410.jpg');
      assert.equal(d.outcome, 'linked');
      assert.equal(d.localId, '004410');
      assert.match(d.message, /ignoring letter case and leading zeros: the name says 4410/);
      const v = await db.kysely.selectFrom('photo_versions').select(['match_rule', 'file']).executeTakeFirstOrThrow();
      assert.deepEqual(v, { match_rule: 'ignoring-case-and-leading-zeros', file: '4410.jpg' });
    });

    test('a name two people could have is kept for nobody, with both named', async () => {
      const d = await deliver('Ab12.jpg');
      assert.equal(d.outcome, 'unmatched');
      assert.match(d.message, /Ab12 could be AB12 \(First AB12\) or ab12 \(First ab12\)/);
      const exact = await deliver('AB12.jpg');
      assert.equal(exact.outcome, 'linked', 'the exact ID is never ambiguous');
      assert.equal(exact.localId, 'AB12');
    });
  });
}
