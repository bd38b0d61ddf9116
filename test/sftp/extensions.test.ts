import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO, Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { opensshSftp, type Login } from '../helpers/openssh.js';
import { run } from '../helpers/run.js';
import { DIALECTS } from '../helpers/databases.js';

const PASSWORD = 'correct horse battery staple';
const SCRIPT = path.join(REPO, 'test/helpers/paramiko_extensions.py');

/** OpenSSH's sftp with its debug output: what it learnt from our VERSION packet. */
const verbose = (l: Login, commands: string[]) =>
  run(
    'sshpass',
    ['-p', l.password!, 'sftp', '-vvv', '-oStrictHostKeyChecking=no', '-oUserKnownHostsFile=/dev/null', '-oPreferredAuthentications=password', '-oPubkeyAuthentication=no', '-oIdentitiesOnly=yes', '-oBatchMode=no', '-oNumberOfPasswordPrompts=1', '-P', String(l.port), '-b', '-', `${l.username}@127.0.0.1`],
    { input: `${commands.join('\n')}\n` },
  );

/**
 * The OpenSSH extensions Lanyard advertises in its VERSION packet (issue 13),
 * each through a real client: OpenSSH's sftp (limits, fsync, statvfs as `df`,
 * hardlink refused) and paramiko (posix_rename, statvfs). Both databases: the
 * free space statvfs reports is the district's quota less its usage, which the
 * database keeps.
 */
for (const dialect of DIALECTS) {
  describe(`SFTP extensions (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let tmp: string;
    let login: Login;

    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('springfield', PASSWORD);
      server = await ws.start(['--intake', 'off', '--quota-bytes', String(50 * 1024 * 1024), '--quota-files', '1000']);
      login = { port: server.sftpPort, username: 'springfield', password: PASSWORD };
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'lanyard-ext-'));
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
      await fs.rm(tmp, { recursive: true, force: true });
    });

    test('OpenSSH sftp sees every extension, and takes the server limits: writes of ~255 KB instead of 32 KB', async () => {
      const r = await verbose(login, ['ls idphotos']);
      // Only what sftp itself says about the SFTP conversation, not the whole SSH negotiation.
      r.output = r.output.split('\n').filter((l) => /extension|limit|buffer|upload|download|sftp/i.test(l)).join('\n');
      assert.equal(r.code, 0, r.output);
      for (const ext of ['posix-rename@openssh.com', 'statvfs@openssh.com', 'fstatvfs@openssh.com', 'hardlink@openssh.com', 'fsync@openssh.com', 'limits@openssh.com']) {
        assert.match(r.output, new RegExp(`Server supports extension "${ext.replace(/\./g, '\\.')}"`), `${ext} not advertised:\n${r.output}`);
      }
      // sftp/version.ts reaches into ssh2's SFTP stream: after an ssh2 upgrade that changed it, this is where it shows.
      assert.doesNotMatch(server.output, /ssh2 internals changed: SFTP extensions/, server.output);
      assert.match(r.output, /Received limits reply/, r.output);
      assert.match(r.output, /server upload\/download buffer sizes 261120 \/ 261120; using 261120 \/ 261120/, r.output);
      assert.match(r.output, /server handle limit 256/, r.output);
    });

    test('put -f (fsync before close) stores the file whole, and a plain put still works beside it', async () => {
      const data = randomBytes(3 * 1024 * 1024 + 17);
      const local = path.join(tmp, 'big.csv');
      await fs.writeFile(local, data);
      const r = await opensshSftp(login, [`put -f ${local} data/students.csv`, `put ${local} data/staff.csv`, `get data/students.csv ${tmp}/back.csv`]);
      assert.equal(r.code, 0, r.output);
      assert.doesNotMatch(r.output, /fsync/i, r.output);
      assert.deepEqual(await fs.readFile(path.join(tmp, 'back.csv')), data);
    });

    test('df shows the quota as the size and what is left as free space', async () => {
      const r = await opensshSftp(login, ['df', 'df -i']);
      assert.equal(r.code, 0, r.output);
      // 50 MiB quota: 51200 KiB; two copies of ~3 MiB are used.
      const lines = r.stdout.split('\n');
      const bytes = lines.findIndex((l) => /Size\s+Used\s+Avail/.test(l));
      assert.ok(bytes >= 0, r.output);
      const [size, used, avail] = lines[bytes + 1]!.trim().split(/\s+/).map(Number);
      assert.equal(size, 51200, r.output);
      assert.ok(used! >= 6144 && used! <= 6160, r.output);
      assert.equal(size! - used!, avail, r.output);
      const inodes = lines.findIndex((l) => /Inodes\s+Used\s+Avail/.test(l));
      assert.ok(inodes >= 0, r.output);
      const [total, usedFiles, freeFiles] = lines[inodes + 1]!.trim().split(/\s+/).map(Number);
      assert.deepEqual([total, usedFiles, freeFiles], [1000, 2, 998], r.output);
    });

    // OpenSSH's sftp prints its own words for a refused link, not the server's; it asks at all only because hardlink is advertised.
    test('a hard link is refused and nothing is made', async () => {
      const r = await opensshSftp(login, ['-ln data/students.csv data/copy.csv']);
      assert.match(r.output, /remote link .*: Operation unsupported/, r.output);
      const ls = await opensshSftp(login, ['ls data']);
      assert.doesNotMatch(ls.stdout, /copy\.csv/);
    });

    test('paramiko: posix_rename replaces the target, statvfs reports the quota and what is left', async () => {
      const r = await run('/usr/bin/python3', [SCRIPT, String(server.sftpPort), 'springfield', PASSWORD, 'data/staff.csv', 'data/students.csv', '/idphotos'], { timeoutMs: 120_000 });
      assert.equal(r.code, 0, r.output);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { renamed: boolean; rename_error: string | null; statvfs: Record<string, number> | null };
      assert.equal(out.renamed, true, r.output);
      const ls = await opensshSftp(login, ['ls data']);
      assert.match(ls.stdout, /students\.csv/);
      assert.doesNotMatch(ls.stdout, /staff\.csv/);
      const s = out.statvfs!;
      assert.equal(s.f_frsize! * s.f_blocks!, 50 * 1024 * 1024);
      // One ~3 MiB file is left after the rename replaced the other.
      const used = 3 * 1024 * 1024 + 17;
      assert.equal(s.f_bavail, Math.floor((50 * 1024 * 1024 - used) / 4096));
      assert.equal(s.f_files, 1000);
      assert.equal(s.f_favail, 999);
    });
  });
}
