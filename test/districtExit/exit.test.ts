import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { run } from '../helpers/run.js';
import { client, ensureBucket, removePrefix, serverEnv, testS3, uniquePrefix } from '../helpers/s3.js';
import { addPeople, District, fixturePeople, PASSWORD, PHOTOS, withDb } from '../photos/harness.js';
import { STORES } from '../retention/lab.js';

/**
 * A district's exit through the CLI, beside a running server: export writes a
 * zip that unzip opens and that holds what its README promises; delete then
 * leaves no row of the district in any table and none of its bytes in the
 * store (file missing, object 404), while a neighbour that uploaded one
 * identical photo keeps it.
 */

for (const dialect of DIALECTS) {
  for (const kind of STORES) {
    describe(`a district's export and deletion (${dialect}, ${kind} store)`, () => {
      let ws: Workspace;
      let server: RunningLanyard | undefined;
      let springfield: District;
      let shelbyville: District;
      let storeArgs: string[] = [];
      let storeEnv: Record<string, string> = {};
      let stored: (key: string) => Promise<boolean>;
      let s3: { c: S3Client; bucket: string; prefix: string } | undefined;
      let tmp: string;

      before(async () => {
        ws = await Workspace.create(dialect);
        tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'district-exit-'));
        if (kind === 's3') {
          const s = testS3();
          const c = client(s);
          await ensureBucket(c, s.bucket);
          const prefix = uniquePrefix('exit');
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
        for (const slug of ['springfield', 'shelbyville']) {
          await ws.district(slug, PASSWORD);
          await addPeople(ws, slug, fixturePeople());
        }
        await ws.cli(['staff', 'create', 'springfield', '--email', 'skinner@springfield.k12.us', '--password', 'superintendent-1', '--role', 'admin']);
        server = await ws.start(storeArgs, { ...storeEnv, LANYARD_RETENTION_INTERVAL: '0', LANYARD_SFTP_CREDENTIAL_CHECK: '1' });
        springfield = new District(server, 'springfield', await ws.token('springfield'));
        shelbyville = new District(server, 'shelbyville', await ws.token('shelbyville'));
      });
      after(async () => {
        await server?.stop();
        await ws?.dispose();
        await fs.rm(tmp, { recursive: true, force: true });
        if (s3) {
          await removePrefix(s3.c, s3.bucket, s3.prefix);
          s3.c.destroy();
        }
      });

      const cli = (...args: string[]) => ws.cli([...args, ...storeArgs], storeEnv);
      const api = (d: District, p: string, body: unknown) =>
        fetch(server!.url(`/api/v1${p}`), { method: 'POST', headers: { ...d.auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const keysOf = (slug: string) =>
        withDb(ws, async (db) => {
          const d = await db.kysely.selectFrom('districts').select('id').where('slug', '=', slug).executeTakeFirstOrThrow();
          const v = await db.kysely.selectFrom('photo_versions').select(['original_key', 'profile_key', 'thumb_key']).where('district_id', '=', d.id).execute();
          const f = await db.kysely.selectFrom('dropbox_files').select('blob_key').where('district_id', '=', d.id).execute();
          return { id: d.id, keys: new Set([...v.flatMap((r) => [r.original_key, r.profile_key, r.thumb_key]), ...f.map((r) => r.blob_key)]) };
        });

      test('export writes one zip that opens, with the roster, current photos, devices, check-outs, incidents, audit log and a README', async () => {
        await springfield.upload([path.join(PHOTOS, 'valid', '100107.jpg'), path.join(PHOTOS, 'valid', '100108.jpg')]);
        await springfield.settled(0, 2);
        // The neighbour uploads one identical file: its bytes are stored once, for both.
        await shelbyville.upload([path.join(PHOTOS, 'valid', '100107.jpg')]);
        await shelbyville.settled(0, 1);
        assert.equal((await api(springfield, '/devices', { assetTag: 'LT-0001', serialNumber: 'SN1', model: 'Chromebook 3100' })).status, 201);
        assert.equal((await api(springfield, '/checkouts', { assetTag: 'LT-0001', localId: '100107' })).status, 201);
        assert.equal((await api(springfield, '/incidents', { assetTag: 'LT-0001', localId: '100107', type: 'damage', description: 'Cracked screen, =SUM(A1)' })).status, 201);

        const zipFile = path.join(tmp, 'springfield.zip');
        const r = await cli('district', 'export', 'springfield', '--out', zipFile, '--json');
        assert.equal(r.code, 0, r.stderr);
        assert.equal((JSON.parse(r.stdout) as { photos: number }).photos, 2);
        const tested = await run('unzip', ['-t', zipFile]);
        assert.equal(tested.code, 0, tested.output);
        const dir = path.join(tmp, 'unzipped');
        assert.equal((await run('unzip', ['-q', zipFile, '-d', dir])).code, 0);
        const names = (await fs.readdir(dir)).sort();
        assert.deepEqual(names, ['README.txt', 'audit-log.csv', 'checkouts.csv', 'devices.csv', 'incident-notes.csv', 'incidents.csv', 'photos', 'roster.csv']);
        assert.deepEqual((await fs.readdir(path.join(dir, 'photos'))).sort(), ['100107.jpg', '100108.jpg']);
        const person = await springfield.person('100107');
        assert.deepEqual(await fs.readFile(path.join(dir, 'photos', '100107.jpg')), await springfield.image(person.photo!.url), 'the photo as served');
        const roster = await fs.readFile(path.join(dir, 'roster.csv'), 'utf8');
        assert.ok(roster.startsWith('\uFEFFLocal ID,First Name,Last Name,Role,School,Grade,Email,State ID,Active\r\n'));
        assert.equal(roster.trim().split('\r\n').length, fixturePeople().length + 1);
        assert.match(await fs.readFile(path.join(dir, 'devices.csv'), 'utf8'), /LT-0001,SN1,Chromebook 3100/);
        const checkouts = await fs.readFile(path.join(dir, 'checkouts.csv'), 'utf8');
        assert.match(checkouts, /^\ufeffAsset Tag,Local ID,Checked Out At,Checked Out By,Checked In At,Checked In By,Undone At,Undone By\r?\n/);
        assert.match(checkouts, /LT-0001,100107,/);
        assert.match(await fs.readFile(path.join(dir, 'incidents.csv'), 'utf8'), /"Cracked screen, =SUM\(A1\)"/);
        assert.match(await fs.readFile(path.join(dir, 'audit-log.csv'), 'utf8'), /dropbox\.upload/);
        assert.match(await fs.readFile(path.join(dir, 'README.txt'), 'utf8'), /photos\/<LocalID>\.jpg each person's current photo \(2\)/);
      });

      test('delete refuses without --yes, then removes every row and byte of the district and nothing of its neighbour', async () => {
        const refused = await cli('district', 'delete', 'springfield');
        assert.notEqual(refused.code, 0);
        assert.match(refused.stderr, /Nothing was deleted\. Deleting springfield removes \d+ people, 2 photo versions, 0 waiting photos, 2 drop-box files/);
        assert.match(refused.stderr, /run again with --yes/);

        const mine = await keysOf('springfield');
        const theirs = await keysOf('shelbyville');
        // A secretary's SFTP client left connected: deleting the district ends it.
        const session = spawn('sshpass', ['-p', PASSWORD, 'sftp', '-oStrictHostKeyChecking=no', '-oUserKnownHostsFile=/dev/null', '-oLogLevel=ERROR', '-oPubkeyAuthentication=no', '-P', String(server!.sftpPort), 'springfield@127.0.0.1']);
        let said = '';
        session.stdout.on('data', (d: Buffer) => (said += d.toString()));
        session.stderr.on('data', (d: Buffer) => (said += d.toString()));
        session.stdin.on('error', () => undefined);
        const ended = new Promise((resolve) => session.once('close', resolve));
        session.stdin.write('ls -1 /\n');
        for (let i = 0; i < 200 && !/idphotos/.test(said); i++) await new Promise((res) => setTimeout(res, 50));
        assert.match(said, /idphotos/, 'connected');
        const r = await cli('district', 'delete', 'springfield', '--yes');
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^Deleted springfield: \d+ people, 2 photo versions, /);

        // No row of the district in any table that has a district.
        await withDb(ws, async (db) => {
          for (const t of await db.kysely.introspection.getTables()) {
            if (!t.columns.some((c) => c.name === 'district_id')) continue;
            const n = await db.kysely
              .selectFrom(t.name as 'people')
              .select((eb) => eb.fn.countAll().as('n'))
              .where('district_id', '=', mine.id)
              .executeTakeFirstOrThrow();
            assert.equal(Number(n.n), 0, `${t.name} has no row of the deleted district`);
          }
          assert.equal((await db.kysely.selectFrom('web_sessions').selectAll().execute()).length, 0);
          const audit = await db.kysely.selectFrom('audit_log').select(['action', 'district_id']).where('action', 'in', ['district.exported', 'district.deleted']).execute();
          assert.deepEqual(audit.map((a) => [a.action, a.district_id]), [['district.exported', null], ['district.deleted', null]], 'recorded server-wide');
        });
        // No byte of it in the store, except the file the neighbour uploaded too.
        for (const k of mine.keys) assert.equal(await stored(k), theirs.keys.has(k), `${k}`);
        for (const k of theirs.keys) assert.ok(await stored(k));
        const still = await shelbyville.person('100107');
        await shelbyville.image(still.photo!.url);
        // The live session ends (within the credential check, 1 s here; sftp notices at its next command).
        for (let i = 0; i < 60 && session.exitCode === null; i++) {
          session.stdin.write('ls -1 /\n');
          await Promise.race([ended, new Promise((res) => setTimeout(res, 500))]);
        }
        assert.notEqual(session.exitCode, null, `the SFTP session was ended: ${said}`);
        // Its token and logins are gone.
        assert.equal((await fetch(server!.url('/api/v1/people/100107'), { headers: springfield.auth })).status, 401);
      });
    });
  }
}
