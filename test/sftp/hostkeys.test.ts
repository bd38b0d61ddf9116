import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pinnedKnownHosts } from '../helpers/clients.js';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { run } from '../helpers/run.js';

const PASSWORD = 'correct horse battery staple';

interface Fingerprint {
  type: string;
  sha256: string;
  md5: string;
}

/** What a technician checks: ssh-keyscan's keys through ssh-keygen, in both hash forms. */
async function scanFingerprints(port: number): Promise<Fingerprint[]> {
  const scan = await run('ssh-keyscan', ['-T', '20', '-p', String(port), '-t', 'ed25519,rsa', '127.0.0.1']);
  const keys = scan.stdout.split('\n').filter((l) => l && !l.startsWith('#'));
  assert.equal(keys.length, 2, scan.output);
  const sha = await run('ssh-keygen', ['-lf', '-'], { input: `${keys.join('\n')}\n` });
  const md5 = await run('ssh-keygen', ['-E', 'md5', '-lf', '-'], { input: `${keys.join('\n')}\n` });
  const byType = (out: string, hash: RegExp) =>
    new Map<string, string>(out.split('\n').flatMap((l) => {
      const m = new RegExp(`(${hash.source}) \\S+ \\((\\w+)\\)$`).exec(l);
      return m ? [[m[2] === 'ED25519' ? 'ssh-ed25519' : 'ssh-rsa', m[1]!] as [string, string]] : [];
    }));
  const shas = byType(sha.stdout, /SHA256:\S+/);
  const md5s = byType(md5.stdout, /MD5:\S+/);
  return ['ssh-ed25519', 'ssh-rsa'].map((type) => ({ type, sha256: shas.get(type) ?? '', md5: md5s.get(type) ?? '' }));
}

for (const dialect of DIALECTS) {
  describe(`the server's fingerprint (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let tmp: string;
    let printed: Fingerprint[];

    before(async () => {
      ws = await Workspace.create(dialect);
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'sftp-hostkeys-'));
      await ws.district('springfield', PASSWORD);
      server = await ws.start();
      printed = (await ws.cliJson<{ hostKeys: Fingerprint[] }>(['host-keys'])).hostKeys;
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
      if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    });

    test('host-keys prints what ssh-keyscan and ssh-keygen show, in SHA256 and MD5 form', async () => {
      assert.deepEqual(await scanFingerprints(server.sftpPort), printed);
    });

    test('is the same after a restart, and a client that trusted it before connects without a warning', async () => {
      const knownHosts = await pinnedKnownHosts(server.sftpPort, printed.map((k) => k.sha256), path.join(tmp, 'known_hosts'));
      await server.stop();
      server = await ws.start();
      assert.deepEqual(await scanFingerprints(server.sftpPort), printed);
      assert.deepEqual((await ws.cliJson<{ hostKeys: Fingerprint[] }>(['host-keys'])).hostKeys, printed);

      // The new port needs its own known_hosts line; the key in it is the one trusted before.
      const line = (await fs.readFile(knownHosts, 'utf8')).replace(/\[127\.0\.0\.1\]:\d+/g, `[127.0.0.1]:${server.sftpPort}`);
      await fs.writeFile(knownHosts, line);
      const r = await run('sshpass', [
        '-p',
        PASSWORD,
        'sftp',
        '-oStrictHostKeyChecking=yes',
        `-oUserKnownHostsFile=${knownHosts}`,
        '-oGlobalKnownHostsFile=/dev/null',
        '-oPubkeyAuthentication=no',
        '-P',
        String(server.sftpPort),
        'springfield@127.0.0.1',
      ], { input: 'ls\n' });
      assert.equal(r.code, 0, r.output);
      assert.doesNotMatch(r.output, /WARNING|IDENTIFICATION HAS CHANGED/);
    });
  });
}
