import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { opensshSftp, type Login } from '../helpers/openssh.js';

interface Event {
  id: number;
  source: string;
  folder: string;
  file: string;
  action: string;
  outcome: string;
  sha256: string | null;
}

for (const dialect of DIALECTS) {
  describe(`what the drop box records and refuses (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let login: Login;
    let token: string;
    let tmp: string;

    const events = async (after = 0): Promise<Event[]> => {
      const res = await fetch(server.url(`/api/v1/intake/events?after=${after}`), { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
      return ((await res.json()) as { events: Event[] }).events;
    };
    const lastId = async () => (await events()).at(-1)?.id ?? 0;

    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('springfield');
      token = await ws.token('springfield');
      // A long settle keeps the roster events "received" while this test reads them.
      server = await ws.start(['--max-upload-bytes', '1000000', '--roster-settle', '60']);
      login = { port: server.sftpPort, username: 'springfield', password: 'correct horse battery staple' };
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dropbox-'));
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
      await fs.rm(tmp, { recursive: true, force: true });
    });

    test('each upload, replacement and delete is an event, "received" until processed', async () => {
      const a = path.join(tmp, 'a.csv');
      await fs.writeFile(a, 'Local ID,First Name\n1,Ann\n');
      const since = await lastId();
      const r = await opensshSftp(login, [`put ${a} data/students.csv`, `put ${a} data/students.csv`, 'rm data/students.csv']);
      assert.equal(r.code, 0, r.output);
      const got = await events(since);
      assert.deepEqual(
        got.map((e) => [e.source, e.folder, e.file, e.action, e.outcome]),
        [
          ['sftp', 'data', 'students.csv', 'upload', 'received'],
          ['sftp', 'data', 'students.csv', 'upload', 'received'],
          ['sftp', 'data', 'students.csv', 'delete', 'received'],
        ],
      );
      assert.match(got[0]!.sha256 ?? '', /^[0-9a-f]{64}$/);
    });

    test('a WinSCP-style .filepart upload renamed over the old photo replaces it, with one event for the photo', async () => {
      const v1 = path.join(tmp, 'v1.jpg');
      const v2 = path.join(tmp, 'v2.jpg');
      const back = path.join(tmp, 'back.jpg');
      await fs.writeFile(v1, randomBytes(5000));
      await fs.writeFile(v2, randomBytes(7000));
      let r = await opensshSftp(login, [`put ${v1} idphotos/100105.jpg`]);
      assert.equal(r.code, 0, r.output);
      const since = await lastId();
      r = await opensshSftp(login, [`put ${v2} idphotos/100105.jpg.filepart`, 'rename idphotos/100105.jpg.filepart idphotos/100105.jpg', 'ls -l idphotos', `get idphotos/100105.jpg ${back}`]);
      assert.equal(r.code, 0, r.output);
      assert.deepEqual(await fs.readFile(back), await fs.readFile(v2));
      assert.doesNotMatch(r.stdout, /^-rw.*filepart$/m, 'the temporary name is gone');
      const got = await events(since);
      assert.deepEqual(got.map((e) => [e.file, e.action]), [['100105.jpg', 'upload']], 'the temporary name is no delivery');
    });

    test('a file over the size limit is refused and the earlier version stays', async () => {
      const small = path.join(tmp, 'small.zip');
      const big = path.join(tmp, 'big.zip');
      const back = path.join(tmp, 'back.zip');
      await fs.writeFile(small, randomBytes(10_000));
      await fs.writeFile(big, randomBytes(1_500_000));
      let r = await opensshSftp(login, [`put ${small} idphotos/package.zip`]);
      assert.equal(r.code, 0, r.output);
      const since = await lastId();
      r = await opensshSftp(login, [`put ${big} idphotos/package.zip`]);
      assert.notEqual(r.code, 0, 'the upload fails');
      r = await opensshSftp(login, [`get idphotos/package.zip ${back}`]);
      assert.equal(r.code, 0, r.output);
      assert.deepEqual(await fs.readFile(back), await fs.readFile(small));
      assert.deepEqual(await events(since), [], 'nothing was delivered');
    });

    test('links are refused', async () => {
      const r = await opensshSftp(login, ['ln -s idphotos/100105.jpg idphotos/link.jpg']);
      assert.notEqual(r.code, 0);
    });
  });
}
