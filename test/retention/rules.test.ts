import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { openServices, type Services } from '../../src/app/services.js';
import { loadConfig } from '../../src/config/config.js';
import { runRetention } from '../../src/retention/run.js';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { client, ensureBucket, removePrefix, serverEnv, testS3, uniquePrefix } from '../helpers/s3.js';
import { addPeople, District, fixturePeople, PASSWORD, PHOTOS, withDb } from '../photos/harness.js';
import { STORES } from './lab.js';

/**
 * A district's retention rules against a running server: photos arrive over
 * OpenSSH, then a retention run (in this process, on the same database and
 * store, the clock moved forward instead of waiting) removes what each
 * rule's time has passed for, and the API and the storage itself (file
 * missing, object 404) no longer have it.
 */

const DAY = 24 * 3600 * 1000;
const at = (days: number) => new Date(Date.now() + days * DAY);

for (const dialect of DIALECTS) {
  for (const kind of STORES) {
    describe(`retention rules (${dialect}, ${kind} store)`, () => {
      let ws: Workspace;
      let server: RunningLanyard | undefined;
      let district: District;
      let services: Services;
      let stored: (key: string) => Promise<boolean>;
      let s3: { c: S3Client; bucket: string; prefix: string } | undefined;
      let storeArgs: string[] = [];
      let env: Record<string, string> = {};

      before(async () => {
        ws = await Workspace.create(dialect);
        if (kind === 's3') {
          const s = testS3();
          const c = client(s);
          await ensureBucket(c, s.bucket);
          const prefix = uniquePrefix('rules');
          s3 = { c, bucket: s.bucket, prefix };
          storeArgs = ['--blob-store', `s3://${s.bucket}/${prefix.slice(0, -1)}`];
          env = serverEnv(s);
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
        // The server's own schedule stays off: this test runs retention itself, at the times it chooses.
        server = await ws.start(storeArgs, { ...env, LANYARD_RETENTION_INTERVAL: '0' });
        district = new District(server, 'springfield', token);
        services = await openServices({ ...loadConfig({ dataDir: ws.dataDir, database: ws.databaseUrl, blobStore: storeArgs[1] }, env), logLevel: 'silent' });
      });
      after(async () => {
        await services?.close();
        await server?.stop();
        await ws?.dispose();
        if (s3) {
          await removePrefix(s3.c, s3.bucket, s3.prefix);
          s3.c.destroy();
        }
      });

      const versionKeys = (localId: string) =>
        withDb(ws, (db) =>
          db.kysely
            .selectFrom('photo_versions as v')
            .innerJoin('people as p', 'p.id', 'v.person_id')
            .select(['v.url_key', 'v.original_key', 'v.profile_key', 'v.thumb_key'])
            .where('p.local_id', '=', localId)
            .orderBy('v.id')
            .execute(),
        );
      const waitingKeys = () => withDb(ws, (db) => db.kysely.selectFrom('waiting_photos').select(['original_key', 'profile_key', 'thumb_key']).execute());
      const eventKey = (file: string) =>
        withDb(ws, async (db) => (await db.kysely.selectFrom('intake_events').select('blob_key').where('file', '=', file).executeTakeFirstOrThrow()).blob_key);
      const photoStatus = async (urlKey: string) => (await fetch(server!.url(`/api/v1/photos/${urlKey}?size=thumb`), { headers: district.auth })).status;
      const listing = async () => {
        const r = await ws.cli(['district', 'retention', 'springfield', '--json']);
        assert.equal(r.code, 0, r.stderr);
        return JSON.parse(r.stdout) as { retention: Record<string, number | null> };
      };

      test('each rule removes the bytes whose time has passed, and the API stops offering them', async () => {
        assert.deepEqual((await listing()).retention, { superseded: null, originals: 30, unmatched: 30, deactivated: 365, uploads: 30 }, 'the documented defaults');

        // 100104: two photos (the first is superseded); 100105: one photo, then deactivated; 100199: nobody; 100111: refused.
        await district.upload([
          [path.join(PHOTOS, 'valid', '100104.jpeg'), '100104.jpg'],
          [path.join(PHOTOS, 'valid', '100105.png'), '100105.png'],
          path.join(PHOTOS, 'unmatched', '100199.jpg'),
          path.join(PHOTOS, 'reject', '100111.jpg'),
        ]);
        await district.settled(0, 4);
        const after1 = await district.lastEventId();
        await district.upload([[path.join(PHOTOS, 'valid', '100107.jpg'), '100104.jpg']]);
        await district.settled(after1, 1);
        const [first, second] = await versionKeys('100104');
        assert.ok(first && second);
        const [waiting] = await waitingKeys();
        assert.ok(waiting, 'the unmatched photo waits');
        const refused = await eventKey('100111.jpg');
        assert.ok(refused && (await stored(refused)));
        await withDb(ws, (db) => db.kysely.updateTable('people').set({ active: 0, updated_at: new Date().toISOString() }).where('local_id', '=', '100105').execute());
        const [deactivated] = await versionKeys('100105');
        assert.ok(deactivated);

        // Nothing has had its time yet.
        assert.deepEqual(await runRetention(services.db, services.blobs, { now: new Date() }), []);

        // 31 days on: originals, unmatched and refused uploads, idphotos files and intake bytes.
        const month = await runRetention(services.db, services.blobs, { now: at(31) });
        const rules = new Set(month.map((r) => r.rule));
        for (const r of ['originals', 'unmatched', 'uploads']) assert.ok(rules.has(r as never), `${r} reported: ${JSON.stringify(month)}`);
        for (const k of [first.original_key, second.original_key, deactivated.original_key, waiting.original_key, waiting.profile_key, waiting.thumb_key, refused]) {
          assert.equal(await stored(k), false, `${k} is gone from the store`);
        }
        // What is shown stays: served sizes of the current photos, and of the earlier version still in its school year.
        for (const k of [second.profile_key, second.thumb_key, first.profile_key, first.thumb_key, deactivated.thumb_key]) assert.ok(await stored(k));
        assert.equal(await photoStatus(second.url_key), 200);
        // (Not fetched here: the server trusts a URL key it looked up for 5 s, photos/serve.ts, and the 404 below must not depend on time.)
        assert.equal((await versionKeys('100104')).length, 2, 'the earlier version is still kept');
        assert.equal((await withDb(ws, (db) => db.kysely.selectFrom('dropbox_files').select('name').where('folder', '=', 'idphotos').execute())).length, 0, 'idphotos is empty');
        const month2 = month.find((r) => r.rule === 'unmatched')!;
        // The waiting photo's two sizes are the unmatched rule's; its original was also the idphotos file's, so it went with the uploads rule.
        assert.ok(month2.files >= 2 && month2.bytes > 0, `counts and bytes by rule: ${JSON.stringify(month)}`);
        const reports = await withDb(ws, (db) => db.kysely.selectFrom('retention_reports').selectAll().execute());
        assert.equal(reports.length, month.length, 'each rule of the run is recorded');

        // A year and a day on: the deactivated person's photo goes; 100104 still shows the current one.
        await runRetention(services.db, services.blobs, { now: at(366) });
        assert.equal(await stored(deactivated.profile_key), false);
        assert.equal(await photoStatus(deactivated.url_key), 404);
        assert.equal((await district.person('100105')).photo, null);

        // Two school years on: the superseded version goes, the current one stays.
        await runRetention(services.db, services.blobs, { now: at(2 * 366) });
        assert.equal(await stored(first.profile_key), false);
        assert.equal(await stored(first.thumb_key), false);
        assert.equal(await photoStatus(first.url_key), 404);
        assert.equal(await photoStatus(second.url_key), 200);
        assert.equal((await district.person('100104')).photo?.url.endsWith(second.url_key), true);
      });

      test('a district changes its policy with the CLI; unknown values are refused with what to write', async () => {
        const set = await ws.cli(['district', 'retention', 'springfield', '--unmatched-days', '7', '--originals-days', 'default', '--json']);
        assert.equal(set.code, 0, set.stderr);
        assert.equal((JSON.parse(set.stdout) as { retention: { unmatched: number; originals: number } }).retention.unmatched, 7);
        const text = await ws.cli(['district', 'retention', 'springfield']);
        assert.match(text.stdout, /Photos nobody matched, and refused uploads: 7 days \(--unmatched-days\)/);
        assert.match(text.stdout, /Earlier photo versions \(not the one shown\): the current and the previous school year/);
        const bad = await ws.cli(['district', 'retention', 'springfield', '--unmatched-days', 'a month']);
        assert.notEqual(bad.code, 0);
        assert.match(bad.stderr, /--unmatched-days is a whole number of days from 0 to 3650, or "default"; "a month" is neither\./);
        const audit = await withDb(ws, (db) => db.kysely.selectFrom('audit_log').select('detail').where('action', '=', 'settings.retention').execute());
        assert.equal(audit.length, 1, 'the refused change is not audited');
        // A run now, from the CLI beside the server: everything due went in the runs above.
        const now = await ws.cli(['retention', 'run', '--json', ...storeArgs], env);
        assert.equal(now.code, 0, now.stderr);
        assert.deepEqual(JSON.parse(now.stdout), { removed: [] });
      });
    });
  }
}
