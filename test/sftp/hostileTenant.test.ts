import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { paramiko } from '../helpers/clients.js';
import { REPO, Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { opensshSftp } from '../helpers/openssh.js';
import { run } from '../helpers/run.js';

const PASSWORD = 'correct horse battery staple';
const RAW = path.join(REPO, 'test/helpers/paramiko_raw.py');
/** As many connections as one district may have at once (the default session limit). */
const ATTACKERS = 20;

/**
 * Issue 11, as the attacker with one district's login would try it, against
 * the shipped defaults: a file of 64 MiB made of one byte per MiB (all the
 * write-gap rule still allows), then every session the district may have,
 * each with ten SFTP channels, up to 256 handles per channel and 500
 * pipelined READs of 2 GiB whose answers are never read (so the client's
 * window stays shut). Before issue 11, 50 such READs took the server to
 * 23.9 GB, and the handles alone would have used up the process's file
 * descriptors. Before the flood it also uploads four 1.5 GiB "photos" and a
 * roster of 100 MiB without a line break, made the same way, which the intake
 * must turn down without reading them whole (it read a photo into memory, and
 * spent a minute of CPU on a 64 MiB line). Meanwhile another district must log
 * in, upload and download as usual, the health check must answer, and the
 * server must stay small.
 */
describe('a hostile district cannot slow, crash or lock out another', () => {
  let ws: Workspace;
  let server: RunningLanyard;
  let tmp: string;
  let hostKeys: string[];
  let malloryToken: string;
  const attackers: ChildProcess[] = [];

  const openFiles = async () => (await fs.readdir(`/proc/${server.pid}/fd`)).length;
  const rssMb = async () => {
    const status = await fs.readFile(`/proc/${server.pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) / 1024;
  };

  before(async () => {
    ws = await Workspace.create('sqlite');
    await ws.district('mallory', PASSWORD);
    hostKeys = (await ws.district('springfield', PASSWORD)).hostKeys.map((k) => k.sha256);
    server = await ws.start();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'hostile-'));
    malloryToken = await ws.token('mallory');
    const build = async (file: string, mib: number) => {
      const built = await run('/usr/bin/python3', [RAW, 'sparse-build', String(server.sftpPort), 'mallory', PASSWORD, file, String(mib)], { timeoutMs: 300_000 });
      assert.equal(built.code, 0, built.output);
      assert.deepEqual(JSON.parse(built.stdout), { size: mib * 1024 * 1024 + 1, refused: null });
    };
    await build('data/sparse.bin', 64);
    for (const n of [1, 2, 3, 4]) await build(`idphotos/10030${n}.jpg`, 1536);
    await build('data/students.csv', 100);
  });
  after(async () => {
    for (const a of attackers) a.kill('SIGKILL');
    await server?.stop();
    await ws?.dispose();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  test('while one district floods READs and handles, the server stays under 512 MB and another district works as usual', async (t) => {
    let ready = '';
    for (let i = 0; i < ATTACKERS; i++) {
      const a = spawn('/usr/bin/python3', [RAW, 'hold-reads', String(server.sftpPort), 'mallory', PASSWORD, 'data/sparse.bin', '10', '256', '500', String(2 ** 31)], {
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      a.stdout!.on('data', (d: Buffer) => (ready += d.toString()));
      attackers.push(a);
    }
    let peak = await rssMb();
    let peakFiles = await openFiles();
    const sample = setInterval(() => {
      void Promise.all([rssMb(), openFiles()]).then(
        ([mb, files]) => {
          peak = Math.max(peak, mb);
          peakFiles = Math.max(peakFiles, files);
        },
        () => undefined,
      );
    }, 200);
    try {
      // Let the flood build up: until some attackers hold their READs, or a while has passed.
      for (let i = 0; i < 150 && (ready.match(/"ready"/g) ?? []).length < 3; i++) await new Promise((r) => setTimeout(r, 200));
      assert.match(ready, /"ready": true, "channels": \d+, "handles": [1-9]/, 'the attack is under way');

      const health = await fetch(server.url('/healthz'));
      assert.equal(health.status, 200);
      const { eventLoopDelayMs } = (await health.json()) as { eventLoopDelayMs: { p99Ms: number; maxMs: number } };
      assert.equal(typeof eventLoopDelayMs.p99Ms, 'number', 'the health check reports the event loop\'s delay');
      t.diagnostic(`event-loop delay under the flood so far: p99 ${eventLoopDelayMs.p99Ms} ms, max ${eventLoopDelayMs.maxMs} ms`);

      const photo = path.join(tmp, 'photo.jpg');
      const back = path.join(tmp, 'back.jpg');
      await fs.writeFile(photo, randomBytes(2_000_000));
      const login = { port: server.sftpPort, username: 'springfield', password: PASSWORD, hostKeys };
      const r = await opensshSftp(login, [`put ${photo} idphotos/100200.jpg`, `get idphotos/100200.jpg ${back}`]);
      assert.equal(r.code, 0, r.output);
      assert.deepEqual(await fs.readFile(back), await fs.readFile(photo), 'the other district uploads and downloads the same bytes');
      const listed = await paramiko.run(login, [{ op: 'ls', path: 'idphotos' }]);
      assert.ok(listed.ok, listed.output);
      assert.ok(listed.listing!.some((e) => e.name === '100200.jpg'));

      for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 200));
    } finally {
      clearInterval(sample);
    }
    // What the intake made of the huge uploads: each turned down, and said why.
    const outcomes = new Map<string, { outcome: string; message: string }>();
    for (let i = 0; i < 600 && outcomes.size < 5; i++) {
      const res = await fetch(server.url('/api/v1/intake/events?after=0'), { headers: { authorization: `Bearer ${malloryToken}` } });
      for (const e of ((await res.json()) as { events: Array<{ file: string; outcome: string; message: string }> }).events) {
        if (e.outcome !== 'received' && e.file !== 'sparse.bin') outcomes.set(e.file, e);
      }
      if (outcomes.size < 5) await new Promise((r) => setTimeout(r, 200));
    }
    for (const n of [1, 2, 3, 4]) {
      const e = outcomes.get(`10030${n}.jpg`);
      assert.equal(e?.outcome, 'rejected', JSON.stringify(e));
      assert.match(e.message, /is 1536 MB; a photo may be at most 50 MB/);
    }
    assert.equal(outcomes.get('students.csv')?.outcome, 'rejected', JSON.stringify(outcomes.get('students.csv')));
    peak = Math.max(peak, await rssMb());
    t.diagnostic(`server memory peaked at ${Math.round(peak)} MB, open files at ${peakFiles}`);
    assert.ok(peak < 512, `the server's memory peaked at ${Math.round(peak)} MB`);
    // 20 sessions × 10 channels × 256 handles would be 51,200 descriptors; the district gets 1024, everyone else the rest.
    assert.ok(peakFiles < 1024 + 200, `the server held ${peakFiles} files open`);
  });
});
