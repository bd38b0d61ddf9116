import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { client, ensureBucket, removePrefix, serverEnv, testS3, uniquePrefix } from '../helpers/s3.js';
import { addPeople, District, fixturePeople, PASSWORD, PHOTOS, withDb } from '../photos/harness.js';
import { STORES } from './lab.js';

/**
 * `lanyard person erase` against a running server, as a district's
 * technician would use it: OpenSSH uploads, the CLI beside the server on the
 * same data, the API and the storage itself (file on disk, object 404)
 * checked after.
 */

const ERASED = '100107';
const OTHER = '100108';
/** Gets byte for byte the photo ERASED had first: the bytes are theirs too and must stay. */
const SAME_BYTES = '100109';

for (const dialect of DIALECTS) {
  for (const kind of STORES) {
    describe(`erasing a person (${dialect}, ${kind} store)`, () => {
      let ws: Workspace;
      let server: RunningLanyard | undefined;
      let district: District;
      let storeArgs: string[] = [];
      let storeEnv: Record<string, string> = {};
      let stored: (key: string) => Promise<boolean>;
      let s3: { c: S3Client; bucket: string; prefix: string } | undefined;

      before(async () => {
        ws = await Workspace.create(dialect);
        if (kind === 's3') {
          const s = testS3();
          const c = client(s);
          await ensureBucket(c, s.bucket);
          const prefix = uniquePrefix('erase');
          s3 = { c, bucket: s.bucket, prefix };
          storeArgs = ['--blob-store', `s3://${s.bucket}/${prefix.slice(0, -1)}`];
          storeEnv = serverEnv(s);
          stored = async (key) => {
            try {
              await c.send(new HeadObjectCommand({ Bucket: s.bucket, Key: `${prefix}sha256/${key.slice(0, 2)}/${key}` }));
              return true;
            } catch (err) {
              if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
              throw err;
            }
          };
        } else {
          stored = (key) =>
            fs.access(path.join(ws.dataDir, 'blobs', 'sha256', key.slice(0, 2), key)).then(
              () => true,
              () => false,
            );
        }
        await ws.district('springfield', PASSWORD);
        await addPeople(ws, 'springfield', fixturePeople());
        const token = await ws.token('springfield');
        server = await ws.start(storeArgs, storeEnv);
        district = new District(server, 'springfield', token);
      });
      after(async () => {
        await server?.stop();
        await ws?.dispose();
        if (s3) {
          await removePrefix(s3.c, s3.bucket, s3.prefix);
          s3.c.destroy();
        }
      });

      const keysOf = (localId: string) =>
        withDb(ws, async (db) => {
          const p = await db.kysely.selectFrom('people').select('id').where('local_id', '=', localId).executeTakeFirstOrThrow();
          const versions = await db.kysely.selectFrom('photo_versions').select(['original_key', 'profile_key', 'thumb_key']).where('person_id', '=', p.id).execute();
          const files = await db.kysely.selectFrom('dropbox_files').select('blob_key').where('name', 'like', `${localId}.%`).execute();
          return new Set([...versions.flatMap((v) => [v.original_key, v.profile_key, v.thumb_key]), ...files.map((f) => f.blob_key)]);
        });
      const erase = (...more: string[]) => ws.cli(['person', 'erase', 'springfield', ERASED, ...more, ...storeArgs], storeEnv);

      test('refuses without --yes, saying what would be removed, and removes nothing', async () => {
        const first = path.join(PHOTOS, 'valid', '100107.jpg');
        // A second photo of the same person: another version (any other face will do).
        const second = path.join(PHOTOS, 'valid', '100104.jpeg');
        await district.upload([[first, `${ERASED}.jpg`]]);
        await district.settled(0, 1);
        await district.upload([[second, `${ERASED}.jpg`], [path.join(PHOTOS, 'valid', '100108.jpg'), `${OTHER}.jpg`], [first, `${SAME_BYTES}.jpg`]]);
        const events = await district.settled(0, 4);
        assert.deepEqual(
          events.map((e) => e.outcome),
          ['linked', 'linked', 'linked', 'linked'],
          JSON.stringify(events),
        );

        const r = await erase();
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /Nothing was erased\. For .+ \(100107\) in springfield, this would remove 2 photo versions, 0 photos waiting for a roster, 1 file in idphotos \(100107\.jpg\)/);
        assert.match(r.stderr, /run again with --yes/);
        assert.ok((await district.person(ERASED)).photo, 'still shown');
      });

      test('with --yes removes every photo, file and stored byte of the person and nothing of anyone else', async () => {
        const before = await district.person(ERASED);
        const theirs = await keysOf(ERASED);
        const shared = await keysOf(SAME_BYTES);
        const others = [...(await keysOf(OTHER)), ...shared];
        assert.ok(theirs.size >= 6, 'two versions: originals and sizes');
        for (const k of theirs) assert.ok(await stored(k), 'stored before');

        const r = await erase('--yes');
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^Erased .+ \(100107\) in springfield: 2 photo versions, .*1 file in idphotos/);
        assert.match(r.stdout, /3 stored files also belong to someone else's photo and stay theirs/);

        // The API offers nothing: no photo, and the old URL answers 404.
        assert.equal((await district.person(ERASED)).photo, null);
        const old = await fetch(server!.url(`${before.photo!.url}?size=profile`), { headers: district.auth });
        assert.equal(old.status, 404);
        // The bytes are gone from the store, except what is also someone else's.
        for (const k of theirs) assert.equal(await stored(k), shared.has(k), `${k} ${shared.has(k) ? 'is shared and stays' : 'is gone'}`);
        for (const k of others) assert.ok(await stored(k), 'nothing of anyone else is touched');
        assert.ok((await district.person(OTHER)).photo);
        const same = await district.person(SAME_BYTES);
        assert.ok(same.photo);
        await district.image(same.photo.url);

        // History stays without bytes; the erasure is audited without the photo.
        await withDb(ws, async (db) => {
          const events = await db.kysely.selectFrom('intake_events').select(['file', 'blob_key']).where('file', '=', `${ERASED}.jpg`).execute();
          assert.equal(events.length, 2);
          assert.ok(events.every((e) => e.blob_key === null));
          const audit = await db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'person.erased').executeTakeFirstOrThrow();
          assert.equal(audit.actor.startsWith('cli'), true);
          const detail = JSON.parse(audit.detail) as Record<string, unknown>;
          assert.equal(detail.localId, ERASED);
          assert.doesNotMatch(audit.detail, /[0-9a-f]{64}/, 'no key or checksum of the photo');
        });
      });

      test('a new photo of them afterwards is welcome', async () => {
        const after = await district.lastEventId();
        await district.upload([[path.join(PHOTOS, 'valid', '100107.jpg'), `${ERASED}.jpg`]]);
        const [e] = await district.settled(after, 1);
        assert.equal(e!.outcome, 'linked', e!.message);
        const p = await district.person(ERASED);
        assert.ok(p.photo);
        await district.image(p.photo.url);
      });
    });
  }
}
