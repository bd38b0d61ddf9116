import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openDb, type Db } from '../../src/db/db.js';
import { currentPhotos, photoSrc } from '../../src/photos/current.js';
import { createDatabase, dropDatabase, DIALECTS } from '../helpers/databases.js';

for (const dialect of DIALECTS) {
  describe(`people's current photos (${dialect})`, () => {
    let db: Db;
    let dir: string;
    let url: string | undefined;

    before(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'photos-current-'));
      url = await createDatabase(dialect);
      db = await openDb({ dataDir: dir, databaseUrl: url });
    });
    after(async () => {
      await db?.close();
      await dropDatabase(url);
      await fs.rm(dir, { recursive: true, force: true });
    });

    test('only people with a photo, of this district, with an opaque URL per size', async () => {
      const now = new Date().toISOString();
      const district = async (slug: string) =>
        (
          await db.kysely
            .insertInto('districts')
            .values({ slug, name: slug, sftp_password_hash: 'x', sftp_auth: 'password', created_at: now })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
      const a = await district('a');
      const b = await district('b');
      const person = async (districtId: number, localId: string) =>
        (
          await db.kysely
            .insertInto('people')
            .values({ district_id: districtId, local_id: localId, local_id_key: localId, first_name: 'F', last_name: 'L', role: 'student', school: null, grade: null, email: null, state_id: null, active: 1, created_at: now, updated_at: now })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
      const withPhoto = await person(a, '100104');
      const without = await person(a, '100105');
      const other = await person(b, '100106');
      for (const [districtId, personId, key] of [
        [a, withPhoto, 'k1'],
        [b, other, 'k2'],
      ] as const) {
        const v = await db.kysely
          .insertInto('photo_versions')
          .values({ district_id: districtId, person_id: personId, url_key: key, original_key: 'o', original_sha256: `sha-${key}`, original_size: 1, profile_key: 'p', thumb_key: 't', file: 'x.jpg', event_id: null, match_rule: 'exact', created_at: now })
          .returning('id')
          .executeTakeFirstOrThrow();
        await db.kysely.insertInto('person_photos').values({ person_id: personId, district_id: districtId, version_id: v.id, updated_at: now }).execute();
      }

      const got = await currentPhotos(db, a, [withPhoto, without, other]);
      assert.deepEqual([...got.keys()], [withPhoto]);
      const ref = got.get(withPhoto)!;
      assert.equal(ref.sha256, 'sha-k1');
      assert.equal(ref.updatedAt, now);
      assert.ok(!ref.url.includes('100104'));
      assert.notEqual(photoSrc(ref, 'thumb'), photoSrc(ref, 'profile'));
      assert.equal((await currentPhotos(db, a, [])).size, 0);
    });
  });
}
