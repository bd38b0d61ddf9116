import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openssh, type ClientLogin, type Op } from '../helpers/clients.js';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';

const PASSWORD = 'correct horse battery staple';
const CLIENTS = 10;
const FILES_EACH = 50;
/**
 * What ten photographers' uploads may add to the server's memory. Measured
 * from what the server holds once it listens, not as an absolute: that start
 * (Node.js, libvips for the intake, the web server) is ~165 MB on Node 24 here
 * and differs between machines, and it made a fixed 256 MB bound pass or fail
 * by a few MB. The uploads themselves add ~90 MB here (connections, write
 * chunks, the garbage collector's slack); one that buffered whole files, or
 * grew with their number, would go far past this.
 */
const MAX_GROWTH_BYTES = 128 * 1024 * 1024;

/** Photo-sized files, each a different size so a mix-up would show. */
const sizeOf = (i: number) => 80_000 + i * 211;

/** The server's peak resident memory so far (VmHWM), in bytes. */
async function peakRss(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  assert.ok(kb, status);
  return Number(kb[1]) * 1024;
}

describe('ten photographers uploading at once', () => {
  let tmp: string;

  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'sftp-concurrent-'));
    await Promise.all(Array.from({ length: FILES_EACH }, (_, i) => fs.writeFile(path.join(tmp, `${i}.jpg`), randomBytes(sizeOf(i)))));
  });
  after(() => fs.rm(tmp, { recursive: true, force: true }));

  for (const dialect of DIALECTS) {
    describe(`(${dialect})`, () => {
      let ws: Workspace;
      let server: RunningLanyard;
      let startRss: number;

      before(async () => {
        ws = await Workspace.create(dialect);
        await ws.district('springfield', PASSWORD);
        server = await ws.start();
        startRss = await peakRss(server.pid);
      });
      after(async () => {
        await server?.stop();
        await ws?.dispose();
      });

      test(`loses nothing: all ${CLIENTS * FILES_EACH} photos are listed with their sizes and each has one intake event; the server grows by less than 128 MB`, async () => {
        const login: ClientLogin = { port: server.sftpPort, username: 'springfield', password: PASSWORD, hostKeys: [] };
        const remote = (c: number, i: number) => `${100000 + c * 1000 + i}.jpg`;
        const runs = await Promise.all(
          Array.from({ length: CLIENTS }, (_, c) =>
            openssh.run(
              login,
              Array.from({ length: FILES_EACH }, (_, i): Op => ({ op: 'put', local: path.join(tmp, `${i}.jpg`), remote: `idphotos/${remote(c, i)}` })),
            ),
          ),
        );
        for (const r of runs) assert.ok(r.ok, r.output);

        const expected = Array.from({ length: CLIENTS }, (_, c) => Array.from({ length: FILES_EACH }, (_, i) => [remote(c, i), sizeOf(i)] as [string, number]))
          .flat()
          .sort((a, b) => a[0].localeCompare(b[0]));
        const listed = await openssh.run(login, [{ op: 'ls', path: 'idphotos' }]);
        assert.ok(listed.ok, listed.output);
        assert.deepEqual(listed.listing!.map((e) => [e.name, e.size]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))), expected);

        const token = await ws.token('springfield');
        const events: Array<{ id: number; file: string; size: number }> = [];
        for (let after = 0; ; ) {
          const res = await fetch(server.url(`/api/v1/intake/events?after=${after}`), { headers: { authorization: `Bearer ${token}` } });
          assert.equal(res.status, 200);
          const page = (await res.json()) as { events: typeof events };
          events.push(...page.events);
          if (page.events.length === 0) break;
          after = page.events[page.events.length - 1]!.id;
        }
        // One event per upload, whatever the photo intake has made of it by now.
        assert.deepEqual(events.map((e) => [e.file, e.size]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))), expected);

        const peak = await peakRss(server.pid);
        const mb = (b: number) => Math.round(b / 1024 / 1024);
        assert.ok(peak - startRss < MAX_GROWTH_BYTES, `peak RSS ${mb(peak)} MB, ${mb(peak - startRss)} MB over the ${mb(startRss)} MB it held once listening`);
      });
    });
  }
});
