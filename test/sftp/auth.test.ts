import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openssh, paramiko, psftp, type ClientLogin, type SftpClient } from '../helpers/clients.js';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { run } from '../helpers/run.js';

const PASSWORD = 'correct horse battery staple';
const KEY_TYPES = ['ed25519', 'rsa', 'ecdsa'] as const;

for (const dialect of DIALECTS) {
  describe(`how a district logs in (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let tmp: string;
    let hostKeys: string[];
    const keys = {} as Record<(typeof KEY_TYPES)[number] | 'stranger', string>;

    const login = (creds: { password?: string; identity?: string; username?: string }): ClientLogin => ({
      port: server.sftpPort,
      username: creds.username ?? 'springfield',
      password: creds.password,
      identity: creds.identity,
      hostKeys,
    });
    const canList = async (creds: Parameters<typeof login>[0], client: SftpClient = openssh) => {
      const r = await client.run(login(creds), [{ op: 'ls', path: '/' }]);
      return r.ok;
    };
    const requireMode = async (mode: string) => {
      const r = await ws.cli(['district', 'auth', 'springfield', '--require', mode]);
      assert.equal(r.code, 0, r.stderr);
    };

    before(async () => {
      ws = await Workspace.create(dialect);
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'sftp-auth-'));
      hostKeys = (await ws.district('springfield', PASSWORD)).hostKeys.map((k) => k.sha256);
      for (const type of [...KEY_TYPES, 'stranger'] as const) {
        keys[type] = path.join(tmp, `id_${type}`);
        const r = await run('ssh-keygen', ['-q', '-t', type === 'stranger' ? 'ed25519' : type, '-N', '', '-C', `${type}@district`, '-f', keys[type]]);
        assert.equal(r.code, 0, r.output);
        if (type !== 'stranger') {
          const add = await ws.cli(['district', 'key', 'add', 'springfield', `${keys[type]}.pub`]);
          assert.equal(add.code, 0, add.stderr);
        }
      }
      // Many failures on purpose here: a one-second window keeps the slow-down short and never locks anyone out.
      server = await ws.start([], { LANYARD_LOGIN_LOCKOUT: '1', LANYARD_LOGIN_FAILURES_PER_ADDRESS: '1000' });
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
      if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    });

    test('password only: the password logs in, a key on file does not', async () => {
      await requireMode('password');
      assert.equal(await canList({ password: PASSWORD }), true);
      assert.equal(await canList({ password: PASSWORD }, paramiko), true);
      assert.equal(await canList({ identity: keys.ed25519 }), false);
    });

    test('key only: Ed25519, RSA and ECDSA keys on file log in; the password or a key not on file do not', async () => {
      await requireMode('publickey');
      for (const type of KEY_TYPES) {
        assert.equal(await canList({ identity: keys[type] }), true, `OpenSSH with the ${type} key`);
        assert.equal(await canList({ identity: keys[type] }, paramiko), true, `paramiko with the ${type} key`);
      }
      assert.equal(await canList({ password: PASSWORD }), false);
      assert.equal(await canList({ identity: keys.stranger }), false);
    });

    test('key and password: both together log in; either one alone does not', async () => {
      await requireMode('both');
      assert.equal(await canList({ identity: keys.ed25519, password: PASSWORD }), true, 'OpenSSH with key and password');
      assert.equal(await canList({ identity: keys.rsa, password: PASSWORD }, paramiko), true, 'paramiko with key and password');
      assert.equal(await canList({ identity: keys.ed25519 }), false, 'the key alone');
      assert.equal(await canList({ password: PASSWORD }), false, 'the password alone');
      assert.equal(await canList({ identity: keys.stranger, password: PASSWORD }), false, 'the password with a key not on file');
      assert.equal(await canList({ identity: keys.ed25519, password: 'not the password' }), false, 'the key with a wrong password');
    });

    test('key or password: either one alone logs in', async () => {
      await requireMode('either');
      assert.equal(await canList({ identity: keys.ecdsa }), true, 'the key alone');
      assert.equal(await canList({ password: PASSWORD }), true, 'the password alone');
      assert.equal(await canList({ password: PASSWORD }, psftp), true, 'psftp with the password');
      // paramiko asks for the login service again before each method; ssh2 used to hang up on that.
      assert.equal(await canList({ identity: keys.stranger, password: PASSWORD }, paramiko), true, 'paramiko trying a key not on file, then the password');
    });

    test('a wrong password and an unknown username get exactly the same answer', async () => {
      await requireMode('password');
      for (const client of [psftp, paramiko]) {
        const wrong = await client.run(login({ password: 'not the password' }), [{ op: 'ls', path: '/' }]);
        const unknown = await client.run(login({ username: 'nosuchdistrict', password: 'not the password' }), [{ op: 'ls', path: '/' }]);
        assert.equal(wrong.ok, false, `${client.name}: ${wrong.output}`);
        assert.equal(unknown.ok, false, `${client.name}: ${unknown.output}`);
        assert.equal(unknown.output.replaceAll('nosuchdistrict', 'springfield'), wrong.output, client.name);
      }
      const wrong = await run('sshpass', sshArgs(server.sftpPort, 'springfield', 'not the password'));
      const unknown = await run('sshpass', sshArgs(server.sftpPort, 'nosuchdistrict', 'not the password'));
      assert.equal(unknown.code, wrong.code, 'same exit code');
      // What a person reads is the refusal line; the "Connection closed" lines around it come from two
      // streams in no fixed order, and sftp sometimes prints one of them twice, so only the refusal is compared.
      assert.deepEqual(refusals(unknown.output.replaceAll('nosuchdistrict', 'springfield')), refusals(wrong.output), 'same words');
      assert.match(wrong.output, /^springfield@127\.0\.0\.1: Permission denied \(publickey,password\)\.$/m);
      assert.match(unknown.output, /^nosuchdistrict@127\.0\.0\.1: Permission denied \(publickey,password\)\.$/m);
    });
  });
}

function refusals(output: string): string[] {
  return output
    .split(/[\r\n]+/)
    .map((l) => l.trim())
    .filter((l) => /denied|refused|locked|too many/i.test(l));
}

/** OpenSSH's sftp with a password typed by sshpass; its exit code and last line are what a person sees. */
function sshArgs(port: number, username: string, password: string) {
  return [
    '-p',
    password,
    'sftp',
    '-oStrictHostKeyChecking=no',
    '-oUserKnownHostsFile=/dev/null',
    '-oLogLevel=ERROR',
    '-oPubkeyAuthentication=no',
    '-oNumberOfPasswordPrompts=1',
    '-P',
    String(port),
    `${username}@127.0.0.1`,
  ];
}
