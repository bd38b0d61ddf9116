import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openssh, type ClientLogin } from '../helpers/clients.js';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';

const PASSWORD = 'correct horse battery staple';
const BIG_MB = 300;

/** Bytes of every unfinished upload the server holds on disk. */
async function incomingBytes(dataDir: string): Promise<number> {
  const dir = path.join(dataDir, 'blobs', 'incoming');
  const names = await fs.readdir(dir).catch(() => []);
  const sizes = await Promise.all(names.map((n) => fs.stat(path.join(dir, n)).then((s) => s.size, () => 0)));
  return sizes.reduce((a, b) => a + b, 0);
}

describe('a server killed in the middle of a large upload', () => {
  let tmp: string;
  let big: string;

  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'sftp-crash-'));
    big = path.join(tmp, 'big.zip');
    // A photographer's package: large enough that the upload is surely still running when the server dies.
    const block = randomBytes(1024 * 1024);
    const f = await fs.open(big, 'w');
    for (let i = 0; i < BIG_MB; i++) await f.write(block);
    await f.close();
  });
  after(() => fs.rm(tmp, { recursive: true, force: true }));

  for (const dialect of DIALECTS) {
    describe(`(${dialect})`, () => {
      let ws: Workspace;
      let server: RunningLanyard;

      before(async () => {
        ws = await Workspace.create(dialect);
        await ws.district('springfield', PASSWORD);
        server = await ws.start();
      });
      after(async () => {
        await server?.stop();
        await ws?.dispose();
      });

      test('keeps the earlier version intact and listed, with nothing partial visible after the restart', async () => {
        const login = (): ClientLogin => ({ port: server.sftpPort, username: 'springfield', password: PASSWORD, hostKeys: [] });
        const earlier = path.join(tmp, `earlier-${dialect}.zip`);
        await fs.writeFile(earlier, randomBytes(200_000));
        let r = await openssh.run(login(), [{ op: 'put', local: earlier, remote: 'idphotos/package.zip' }]);
        assert.ok(r.ok, r.output);

        const upload = openssh.run(login(), [{ op: 'put', local: big, remote: 'idphotos/package.zip' }]);
        let seen = 0;
        for (let i = 0; i < 600 && seen < 8 * 1024 * 1024; i++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          seen = await incomingBytes(ws.dataDir);
        }
        assert.ok(seen >= 8 * 1024 * 1024, `the upload got under way (${seen} bytes arrived)`);
        await server.crash();
        assert.equal((await upload).ok, false, 'the client saw its upload fail');
        assert.ok((await incomingBytes(ws.dataDir)) > 0, 'the partial upload was still on disk when the server died');

        server = await ws.start();
        assert.deepEqual(await fs.readdir(path.join(ws.dataDir, 'blobs', 'incoming')), [], 'the partial upload is swept away on start');
        const back = path.join(tmp, `back-${dialect}.zip`);
        r = await openssh.run(login(), [
          { op: 'get', remote: 'idphotos/package.zip', local: back },
          { op: 'ls', path: 'idphotos' },
        ]);
        assert.ok(r.ok, r.output);
        assert.deepEqual(r.listing!.map((e) => [e.name, e.size]), [['package.zip', 200_000]]);
        assert.deepEqual(await fs.readFile(back), await fs.readFile(earlier));

        const token = await ws.token('springfield');
        const res = await fetch(server.url('/api/v1/intake/events'), { headers: { authorization: `Bearer ${token}` } });
        const { events } = (await res.json()) as { events: Array<{ file: string; size: number }> };
        assert.deepEqual(events.map((e) => [e.file, e.size]), [['package.zip', 200_000]], 'only the finished upload became an intake event');
      });
    });
  }
});
