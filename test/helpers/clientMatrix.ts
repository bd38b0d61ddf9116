import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ClientLogin, ClientRun, Op, SftpClient } from './clients.js';
import { DIALECTS } from './databases.js';
import { Workspace, type RunningLanyard } from './lanyard.js';

const PASSWORD = 'correct horse battery staple';
export const MKDIR_MESSAGE = 'idphotos must stay flat: upload the photo files themselves, or a .zip';
const ROOT_READ_ONLY = 'The top level is read-only: put photos in idphotos and roster files in data.';

export interface MatrixContext {
  server: RunningLanyard;
  hostKeys: string[];
  /** A folder of the test's own for files the client needs. */
  tmp: string;
}

/**
 * What every supported client must do against the real server, on both
 * databases: log in, see the two folders, upload, overwrite, list, download
 * the same bytes, rename, delete; and be refused making a folder or leaving
 * the drop box. One server per database; several ops per client run.
 */
export function describeClientMatrix(label: string, makeClient: (ctx: MatrixContext) => Promise<SftpClient> | SftpClient): void {
  for (const dialect of DIALECTS) {
    void describe(`a district using ${label} (${dialect})`, () => {
      let ws: Workspace;
      let server: RunningLanyard;
      let client: SftpClient;
      let login: ClientLogin;
      let tmp: string;
      const go = (ops: Op[]): Promise<ClientRun> => client.run(login, ops);

      before(async () => {
        ws = await Workspace.create(dialect);
        const sheet = await ws.district('springfield', PASSWORD);
        server = await ws.start();
        tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'sftp-client-'));
        const hostKeys = sheet.hostKeys.map((k) => k.sha256);
        login = { port: server.sftpPort, username: 'springfield', password: PASSWORD, hostKeys };
        client = await makeClient({ server, hostKeys, tmp });
      });
      after(async () => {
        await server?.stop();
        await ws?.dispose();
        if (tmp) await fs.rm(tmp, { recursive: true, force: true });
      });

      void test('logs in and sees exactly idphotos and data at the top', async () => {
        const r = await go([{ op: 'ls', path: '/' }]);
        assert.ok(r.ok, r.output);
        const names = r.listing!.map((e) => e.name).filter((n) => n !== '.' && n !== '..');
        assert.deepEqual(names.sort(), ['data', 'idphotos']);
        assert.ok(r.listing!.every((e) => e.dir), 'both are folders');
      });

      void test('uploads a photo, overwrites it with a 3 MB one, lists it and downloads identical bytes', async () => {
        const first = path.join(tmp, 'first.jpg');
        const second = path.join(tmp, 'second.jpg');
        const back = path.join(tmp, 'back.jpg');
        await fs.writeFile(first, randomBytes(85_000));
        await fs.writeFile(second, randomBytes(3_000_000));
        const r = await go([
          { op: 'put', local: first, remote: 'idphotos/123456.jpg' },
          { op: 'put', local: second, remote: 'idphotos/123456.jpg' },
          { op: 'get', remote: 'idphotos/123456.jpg', local: back },
          { op: 'ls', path: 'idphotos' },
        ]);
        assert.ok(r.ok, r.output);
        assert.deepEqual(r.listing!.map((e) => [e.name, e.size]), [['123456.jpg', 3_000_000]]);
        assert.deepEqual(await fs.readFile(back), await fs.readFile(second));
      });

      void test('renames the photo, then deletes it', async () => {
        let r = await go([
          { op: 'rename', from: 'idphotos/123456.jpg', to: 'idphotos/654321.jpg' },
          { op: 'ls', path: 'idphotos' },
        ]);
        assert.ok(r.ok, r.output);
        assert.deepEqual(r.listing!.map((e) => [e.name, e.size]), [['654321.jpg', 3_000_000]]);

        r = await go([{ op: 'rm', path: 'idphotos/654321.jpg' }, { op: 'ls', path: 'idphotos' }]);
        assert.ok(r.ok, r.output);
        assert.deepEqual(r.listing, []);
      });

      void test('is refused making a folder in idphotos, and told why where the client shows it', async () => {
        const r = await go([{ op: 'mkdir', path: 'idphotos/grade5' }]);
        assert.equal(r.ok, false, r.output);
        if (client.showsServerMessages) assert.ok(r.output.includes(MKDIR_MESSAGE), r.output);
        else assert.match(r.output, /permission denied/i);
      });

      void test('cannot upload or download outside idphotos and data', async () => {
        const f = path.join(tmp, 'outside.jpg');
        await fs.writeFile(f, 'not a photo');
        for (const remote of ['../outside.jpg', 'idphotos/../../outside.jpg', '/etc/outside.jpg', 'outside.jpg']) {
          const r = await go([{ op: 'put', local: f, remote }]);
          assert.equal(r.ok, false, `put ${remote} was refused:\n${r.output}`);
          if (remote === 'outside.jpg' && client.showsServerMessages) assert.ok(r.output.includes(ROOT_READ_ONLY), r.output);
        }
        const r = await go([{ op: 'get', remote: '../../../etc/passwd', local: path.join(tmp, 'passwd') }]);
        assert.equal(r.ok, false, r.output);
        // Some clients create the local file before asking; it must stay empty.
        const got = await fs.readFile(path.join(tmp, 'passwd')).catch(() => Buffer.alloc(0));
        assert.equal(got.length, 0, 'nothing came back');

        const top = await go([{ op: 'ls', path: '/' }]);
        assert.deepEqual(top.listing!.map((e) => e.name).filter((n) => n !== '.' && n !== '..').sort(), ['data', 'idphotos'], 'nothing appeared at the top');
      });
    });
  }
}
