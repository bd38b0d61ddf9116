import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openDb, type Db } from '../../src/db/db.js';
import { currentPhotos } from '../../src/photos/current.js';
import { removeCurrent, revertPhoto, setPhoto, versionCount, type StoredPhoto } from '../../src/photos/versions.js';
import { createDatabase, dropDatabase, DIALECTS } from '../helpers/databases.js';

const photo = (n: number): StoredPhoto => ({ original: { key: `o${n}`, sha256: `sha${n}`, size: n }, profileKey: `p${n}`, thumbKey: `t${n}`, quality: null });

for (const dialect of DIALECTS) {
  describe(`a person's photo versions (${dialect})`, () => {
    let db: Db;
    let dir: string;
    let url: string | undefined;
    let districtId: number;
    let personId: number;

    before(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'photo-versions-'));
      url = await createDatabase(dialect);
      db = await openDb({ dataDir: dir, databaseUrl: url });
      const now = new Date().toISOString();
      districtId = (
        await db.kysely.insertInto('districts').values({ slug: 'v', name: 'V', sftp_password_hash: 'x', sftp_auth: 'password', created_at: now }).returning('id').executeTakeFirstOrThrow()
      ).id;
      personId = (
        await db.kysely
          .insertInto('people')
          .values({ district_id: districtId, local_id: '1', local_id_key: '1', first_name: 'A', last_name: 'B', role: 'student', school: null, grade: null, email: null, state_id: null, active: 1, created_at: now, updated_at: now })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    });
    after(async () => {
      await db?.close();
      await dropDatabase(url);
      await fs.rm(dir, { recursive: true, force: true });
    });

    const set = (n: number, keepVersions = 3) =>
      db.kysely.transaction().execute((trx) => setPhoto(trx, { districtId, personId, photo: photo(n), file: `${n}.jpg`, eventId: null, matchRule: 'exact', keepVersions }));
    const shown = async () => (await currentPhotos(db, districtId, [personId])).get(personId)?.sha256;

    test('new photos replace, the same bytes do nothing, earlier bytes come back, and only the newest few are kept', async () => {
      assert.equal(await set(1), 'new');
      assert.equal(await set(1), 'unchanged');
      assert.equal(await set(2), 'new');
      assert.equal(await shown(), 'sha2');
      assert.equal(await set(1), 'restored');
      assert.equal(await shown(), 'sha1');
      assert.equal(await versionCount(db, personId), 2);
      for (const n of [3, 4, 5]) assert.equal(await set(n), 'new');
      assert.equal(await versionCount(db, personId), 3, 'the limit');
      assert.equal(await shown(), 'sha5');
    });

    test('revert steps back one version at a time, and after a removal brings the newest back', async () => {
      assert.equal((await revertPhoto(db, districtId, personId))?.original_sha256, 'sha4');
      assert.equal(await shown(), 'sha4');
      assert.equal((await revertPhoto(db, districtId, personId))?.original_sha256, 'sha3');
      assert.equal(await revertPhoto(db, districtId, personId), undefined, 'nothing older is kept');
      assert.equal(await shown(), 'sha3');
      await db.kysely.transaction().execute((trx) => removeCurrent(trx, personId));
      assert.equal(await shown(), undefined);
      assert.equal((await revertPhoto(db, districtId, personId))?.original_sha256, 'sha5');
      assert.equal(await revertPhoto(db, districtId + 1, personId), undefined, 'not from another district');
    });
  });
}
