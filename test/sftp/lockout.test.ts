import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { opensshSftp, type Login } from '../helpers/openssh.js';
import { run } from '../helpers/run.js';

const PASSWORD = 'correct horse battery staple';
const LIMITS = { LANYARD_LOGIN_FAILURES_PER_ADDRESS: '4', LANYARD_LOGIN_LOCKOUT: '900' };

/**
 * Lockouts count by source address, never by account: anyone who knows a
 * district's short name could otherwise lock that district out. Other source
 * addresses are other loopback addresses (OpenSSH's BindAddress), which the
 * server sees as different clients.
 */
for (const dialect of DIALECTS) {
  describe(`password guessing is stopped by address, never by account (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let tmp: string;
    let key: string;

    /** Logs in with OpenSSH's sftp from `from` and lists the top; what a person would see. */
    const attempt = async (who: { username?: string; password?: string; identity?: string; from: string }) => {
      const login: Login = { port: server.sftpPort, username: who.username ?? 'springfield', password: who.password, identity: who.identity, bindAddress: who.from };
      const r = await opensshSftp(login, ['ls /']);
      return { ok: r.code === 0 && /idphotos/.test(r.stdout), refusal: refusals(r.output.replaceAll(login.username, 'USER')), output: r.output };
    };
    const requireMode = async (mode: string) => {
      const r = await ws.cli(['district', 'auth', 'springfield', '--require', mode]);
      assert.equal(r.code, 0, r.stderr);
    };

    before(async () => {
      ws = await Workspace.create(dialect);
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'lockout-'));
      await ws.district('springfield', PASSWORD);
      await ws.district('shelbyville', PASSWORD);
      key = path.join(tmp, 'id_ed25519');
      assert.equal((await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key])).code, 0);
      assert.equal((await ws.cli(['district', 'key', 'add', 'springfield', `${key}.pub`])).code, 0);
      await requireMode('either');
      server = await ws.start([], LIMITS);
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
      if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    });

    test('after 4 wrong passwords from one address, the right password from there is answered as wrong, and from another address it gets in', async () => {
      // At once, so the growing delay of each refusal is waited for side by side.
      const wrong = await Promise.all(Array.from({ length: 4 }, (_, i) => attempt({ password: `guess ${i}`, from: '127.0.0.1' })));
      assert.ok(wrong.every((r) => !r.ok));

      const [locked, otherAccount, elsewhere] = await Promise.all([
        attempt({ password: PASSWORD, from: '127.0.0.1' }),
        attempt({ username: 'shelbyville', password: PASSWORD, from: '127.0.0.1' }),
        attempt({ password: PASSWORD, from: '127.0.0.2' }),
      ]);
      assert.equal(locked.ok, false, 'the locked address is refused');
      assert.deepEqual(locked.refusal, wrong[0]!.refusal, 'with the very words of a wrong password');
      assert.deepEqual(locked.refusal, ['USER@127.0.0.1: Permission denied (publickey,password).']);
      assert.equal(otherAccount.ok, false, 'every account is refused from the locked address');
      assert.equal(elsewhere.ok, true, `the right password from another address logs in: ${elsewhere.output}`);
    });

    test('a key logs in from the locked address and from another, also when the district requires keys', async () => {
      assert.equal((await attempt({ identity: key, from: '127.0.0.1' })).ok, true, 'key from the locked address');
      assert.equal((await attempt({ identity: key, from: '127.0.0.2' })).ok, true, 'key from another address');
      await requireMode('publickey');
      try {
        assert.equal((await attempt({ identity: key, from: '127.0.0.1' })).ok, true, 'key-only, from the locked address');
        assert.equal((await attempt({ identity: key, from: '127.0.0.2' })).ok, true, 'key-only, from another address');
      } finally {
        await requireMode('either');
      }
    });

    test('wrong passwords for one district from many addresses never lock the district out', async () => {
      // Three addresses, four wrong passwords each, all at once: three addresses locked, twelve failures on the account.
      const guesses = ['127.0.0.3', '127.0.0.4', '127.0.0.5'].flatMap((from) => Array.from({ length: 4 }, (_, i) => attempt({ password: `guess ${i}`, from })));
      assert.ok((await Promise.all(guesses)).every((r) => !r.ok));
      const [again, right] = await Promise.all([attempt({ password: 'guess again', from: '127.0.0.3' }), attempt({ password: PASSWORD, from: '127.0.0.6' })]);
      assert.equal(again.ok, false);
      assert.equal(right.ok, true, `the right password from a fresh address logs in: ${right.output}`);
    });

    test('a lockout is kept in the database across a restart', async () => {
      await server.stop();
      server = await ws.start([], LIMITS);
      const [locked, elsewhere] = await Promise.all([attempt({ password: PASSWORD, from: '127.0.0.1' }), attempt({ password: PASSWORD, from: '127.0.0.2' })]);
      assert.equal(locked.ok, false, 'still locked');
      assert.equal(elsewhere.ok, true, 'another address still gets in');
    });
  });
}

/** The refusal line a person reads; the "Connection closed" lines around it come in no fixed order. */
function refusals(output: string): string[] {
  return output
    .split(/[\r\n]+/)
    .map((l) => l.trim())
    .filter((l) => /denied|refused|locked|too many/i.test(l));
}
