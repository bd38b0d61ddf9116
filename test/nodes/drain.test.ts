import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO, Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { opensshSftp } from '../helpers/openssh.js';

const PASSWORD = 'correct horse battery staple';
const RAW = path.join(REPO, 'test/helpers/paramiko_raw.py');

/**
 * A node taken out of service (SIGTERM, as an orchestrator or `systemctl
 * stop` does): HAProxy must see it go (its /healthz answers 503), nobody new
 * gets in, and an upload half-way through finishes and is kept.
 */
describe('a node stopping gracefully lets uploads in progress finish', () => {
  let ws: Workspace;
  let server: RunningLanyard;
  let dir: string;

  before(async () => {
    ws = await Workspace.create('sqlite');
    await ws.district('springfield', PASSWORD);
    server = await ws.start([], { LANYARD_DRAIN_SECONDS: '60' });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'drain-'));
  });
  after(async () => {
    await server?.stop();
    await ws?.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  });

  test('on SIGTERM: /healthz 503, new SFTP connections refused, the half-sent upload completes, then the node exits', async () => {
    const bytes = randomBytes(3_000_000);
    const local = path.join(dir, 'students.csv');
    await fs.writeFile(local, bytes);
    const client = spawn('/usr/bin/python3', [RAW, 'write-hold', String(server.sftpPort), 'springfield', PASSWORD, 'data/students.csv', local], { stdio: ['pipe', 'pipe', 'inherit'] });
    let said = '';
    client.stdout.on('data', (d: Buffer) => (said += d.toString()));
    while (!said.includes('"half": true')) await new Promise((r) => setTimeout(r, 50));

    const stopped = server.stop();
    let health = 200;
    for (let i = 0; i < 100 && health === 200; i++) {
      health = (await fetch(server.url('/healthz'))).status;
      if (health === 200) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(health, 503, 'the load balancer is told to send new work elsewhere');
    const newcomer = await opensshSftp({ port: server.sftpPort, username: 'springfield', password: PASSWORD }, ['ls']);
    assert.notEqual(newcomer.code, 0, 'no new SFTP connection while draining');

    client.stdin.end();
    await new Promise((r) => client.once('exit', r));
    assert.match(said, /"closed": true, "message": "ok"/, 'the upload was acknowledged');
    assert.equal(await stopped, 0, 'the node exits cleanly once nothing is in flight');

    server = await ws.start();
    const back = path.join(dir, 'back.csv');
    const r = await opensshSftp({ port: server.sftpPort, username: 'springfield', password: PASSWORD }, [`get data/students.csv ${back}`]);
    assert.equal(r.code, 0, r.output);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    assert.equal(sha(await fs.readFile(back)), sha(bytes), 'the whole file was kept');
  });
});
