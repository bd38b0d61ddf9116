import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { REPO, Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { opensshSftp, type Login } from '../helpers/openssh.js';
import { run } from '../helpers/run.js';

const PASSWORD = 'correct horse battery staple';
const RAW = path.join(REPO, 'test/helpers/paramiko_raw.py');

interface Answer {
  [key: string]: unknown;
}

/**
 * What one SFTP connection may hold of the server (issue 11), driven with
 * requests no ordinary client sends (paramiko, raw) and checked with the
 * clients districts use. Nothing here needs the intake, so it is off.
 */
describe('what one connection may hold of the server', () => {
  let ws: Workspace;
  let server: RunningLanyard;
  let tmp: string;
  let login: Login;
  let hostKeys: string[];
  let token: string;

  const events = async () => {
    const res = await fetch(server.url('/api/v1/intake/events?after=0'), { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    return ((await res.json()) as { events: unknown[] }).events;
  };

  const raw = async (scenario: string, ...args: Array<string | number>): Promise<Answer[]> => {
    const r = await run('/usr/bin/python3', [RAW, scenario, String(server.sftpPort), 'springfield', PASSWORD, ...args.map(String)], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.output);
    return r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Answer);
  };

  before(async () => {
    ws = await Workspace.create('sqlite');
    hostKeys = (await ws.district('springfield', PASSWORD)).hostKeys.map((k) => k.sha256);
    token = await ws.token('springfield');
    server = await ws.start(['--intake', 'off']);
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'protocol-limits-'));
    login = { port: server.sftpPort, username: 'springfield', password: PASSWORD };
    const big = path.join(tmp, 'big.bin');
    await fs.writeFile(big, randomBytes(3 * 1024 * 1024));
    const r = await opensshSftp(login, [`put ${big} data/big.bin`]);
    assert.equal(r.code, 0, r.output);
  });
  after(async () => {
    await server?.stop();
    await ws?.dispose();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  test('a READ asking for more than 256 KiB is answered with 255 KiB, as OpenSSH does: a short read every client handles', async () => {
    for (const asked of [256 * 1024, 4 * 1024 * 1024, 2 ** 31]) {
      const [a] = await raw('read-long', 'data/big.bin', asked);
      assert.deepEqual(a, { asked, got: 255 * 1024, answer: 103 }, `asked for ${asked}`);
    }
    // OpenSSH asking for 1 MiB per request (-B) gets the whole file, byte for byte (a 1 MiB answer was "message too long" to it).
    const back = path.join(tmp, 'back.bin');
    const r = await run('sshpass', ['-p', PASSWORD, 'sftp', '-B', '1048576', '-oStrictHostKeyChecking=no', '-oUserKnownHostsFile=/dev/null', '-oPubkeyAuthentication=no', '-oBatchMode=no', '-oNumberOfPasswordPrompts=1', '-oLogLevel=ERROR', '-P', String(server.sftpPort), '-b', '-', 'springfield@127.0.0.1'], {
      input: `get data/big.bin ${back}\n`,
    });
    assert.equal(r.code, 0, r.output);
    assert.deepEqual(await fs.readFile(back), await fs.readFile(path.join(tmp, 'big.bin')));
  });

  test('a client that stops reading its answers is held back, and gets every answer right once it reads again', async () => {
    // 500 answers of 255 KiB (125 MiB) against a 16 MiB budget: most wait as unread requests until the client reads.
    const [a] = await raw('lag-reads', 'data/big.bin', path.join(tmp, 'big.bin'), 500, 2);
    assert.deepEqual(a, { right: 500, wrong: 0, unanswered: 0 });
  });

  test('a write starting far beyond the end of a file is refused with a sentence, and the connection goes on', async () => {
    const [far, close, listing] = await raw('sparse', 'data/sparse.bin', 2 ** 30);
    assert.equal(far!.refused, true);
    assert.match(String(far!.message), /sparse\.bin must be written from its start onwards: this write begins 1 GB past what has arrived so far \(at most 1 MB may be skipped\)\. Upload the whole file again\./);
    assert.match(String(close!.message), /must be written from its start onwards/, 'closing the spoiled upload says why it was not kept');
    assert.deepEqual(listing!.names, ['data', 'idphotos']);
    const ls = await opensshSftp(login, ['ls data']);
    assert.doesNotMatch(ls.stdout, /sparse\.bin/, 'nothing was published');
  });

  test('300 open files: refused past 256 with a sentence; the connection still works, and closing frees them', async () => {
    const [a] = await raw('handles', 'data/big.bin', 300);
    assert.equal(a!.opened, 256);
    assert.match(String(a!.refusal), /Too many files open at once \(at most 256 in one session\): let transfers finish or close files before opening more\./);
    assert.equal(a!.size, 3 * 1024 * 1024, 'what needs no handle is still answered');
    assert.deepEqual(a!.listing, ['data', 'idphotos']);
    assert.equal(a!.again, true);
  });

  test('more than 10 sessions on one connection are refused, saying why; closing one makes room', async () => {
    const [a] = await raw('channels', 12);
    assert.equal(a!.opened, 10);
    assert.match(String(a!.refusal), /^4: .*open FAILED: Too many sessions on one connection \(at most 10\): close some, or connect again\.: Resource shortage$/);
    assert.deepEqual(a!.listing, ['data', 'idphotos']);
    assert.equal(a!.after_close, true);
  });

  test('opening a file for writing without truncating copies nothing, and closing it unwritten leaves it as it was', async () => {
    const before = await events();
    const child = spawn('/usr/bin/python3', [RAW, 'open-keep', String(server.sftpPort), 'springfield', PASSWORD, 'data/big.bin'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 200 && !out.includes('ready'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(out, /"ready": true/);
    // While the handle is open, nothing of the 3 MiB file has been copied into incoming/.
    assert.deepEqual(await fs.readdir(path.join(ws.dataDir, 'blobs', 'incoming')), []);
    child.stdin.end();
    await new Promise((r) => child.once('close', r));
    assert.match(out, /"closed": true, "message": "ok"/);
    assert.deepEqual(await events(), before, 'no new version, no intake event');
  });

  test('resuming an upload (OpenSSH reput, PuTTY psftp reput: FileZilla\'s engine) finishes the file byte for byte', async () => {
    const whole = path.join(tmp, 'whole.bin');
    const half = path.join(tmp, 'half.bin');
    const bytes = randomBytes(5 * 1024 * 1024 + 123);
    await fs.writeFile(whole, bytes);
    await fs.writeFile(half, bytes.subarray(0, 2 * 1024 * 1024 + 7));
    for (const [client, remote] of [
      ['openssh', 'data/resumed-openssh.bin'],
      ['psftp', 'data/resumed-psftp.bin'],
    ] as const) {
      let r = await opensshSftp(login, [`put ${half} ${remote}`]);
      assert.equal(r.code, 0, r.output);
      if (client === 'openssh') {
        r = await opensshSftp(login, [`reput ${whole} ${remote}`]);
      } else {
        const script = path.join(tmp, 'psftp.txt');
        await fs.writeFile(script, `reput "${whole}" "${remote}"\n`);
        r = await run('psftp', ['-batch', '-b', script, '-P', String(server.sftpPort), '-pw', PASSWORD, ...hostKeys.flatMap((k) => ['-hostkey', k]), 'springfield@127.0.0.1']);
      }
      assert.equal(r.code, 0, `${client}: ${r.output}`);
      const back = path.join(tmp, `back-${client}.bin`);
      r = await opensshSftp(login, [`get ${remote} ${back}`]);
      assert.equal(r.code, 0, r.output);
      assert.deepEqual(await fs.readFile(back), bytes, `${client} resumed to the whole file`);
    }
  });
});
