import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { opensshSftp } from '../helpers/openssh.js';
import { run } from '../helpers/run.js';
import { WebClient } from '../helpers/webClient.js';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new password for springfield';

/** OpenSSH's sftp left open on a pipe, as a person leaves FileZilla connected. */
class OpenSession {
  private out = '';
  readonly ended: Promise<void>;
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (d: Buffer) => (this.out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (this.out += d.toString()));
    child.stdin.on('error', () => undefined);
    this.ended = new Promise((resolve) => child.once('close', () => resolve()));
  }

  static async open(port: number, username: string, creds: { password?: string; identity?: string }): Promise<OpenSession> {
    const args = ['-oStrictHostKeyChecking=no', '-oUserKnownHostsFile=/dev/null', '-oLogLevel=ERROR', '-P', String(port)];
    if (creds.identity) args.push('-oIdentitiesOnly=yes', `-i${creds.identity}`, '-oPasswordAuthentication=no', '-oBatchMode=yes');
    else args.push('-oPubkeyAuthentication=no', '-oBatchMode=no');
    args.push(`${username}@127.0.0.1`);
    const child = creds.password ? spawn('sshpass', ['-p', creds.password, 'sftp', ...args]) : spawn('sftp', args);
    const s = new OpenSession(child);
    assert.match(await s.ls(), /idphotos/, `${username} is connected`);
    return s;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Lists the top and returns what appeared, waiting until it did or the session ended. */
  async ls(): Promise<string> {
    const from = this.out.length;
    this.child.stdin.write('ls -1 /\n');
    for (let i = 0; i < 200 && this.alive && !/idphotos/.test(this.out.slice(from)); i++) await new Promise((r) => setTimeout(r, 50));
    return this.out.slice(from);
  }

  /**
   * Waits for the server to end the session (a generous bound, not a timing
   * claim): OpenSSH's sftp says "Received disconnect" and exits at its next
   * command that needs the server, so it is given one now and then.
   */
  async endedByServer(): Promise<boolean> {
    for (let i = 0; i < 60 && this.alive; i++) {
      this.child.stdin.write('ls -1 /\n');
      await Promise.race([this.ended, new Promise((r) => setTimeout(r, 500))]);
    }
    return !this.alive && /Received disconnect/.test(this.out);
  }

  close() {
    this.child.stdin.end('bye\n');
  }
}

/**
 * Resetting a district's SFTP password or removing one of its keys ends that
 * district's live SFTP sessions: at once on the node where the change was
 * made, and on other nodes when they next read the district's credential
 * version (every LANYARD_SFTP_CREDENTIAL_CHECK seconds while they have
 * sessions). Other districts' sessions go on.
 */
for (const dialect of DIALECTS) {
  describe(`a changed SFTP password or removed key ends the sessions that used them (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let tmp: string;
    let key: string;
    let fingerprint: string;
    const sessions: OpenSession[] = [];
    const open = async (username: string, creds: { password?: string; identity?: string }) => {
      const s = await OpenSession.open(server.sftpPort, username, creds);
      sessions.push(s);
      return s;
    };

    before(async () => {
      ws = await Workspace.create(dialect);
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'credentials-'));
      await ws.district('springfield', PASSWORD);
      await ws.district('shelbyville', PASSWORD);
      key = path.join(tmp, 'id_ed25519');
      assert.equal((await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key])).code, 0);
      fingerprint = (await ws.cliJson<{ fingerprint: string }>(['district', 'key', 'add', 'springfield', `${key}.pub`])).fingerprint;
      assert.equal((await ws.cli(['district', 'auth', 'springfield', '--require', 'either'])).code, 0);
      assert.equal((await ws.cli(['staff', 'create', 'springfield', '--email', 'admin@springfield.test', '--password', 'admin password 1', '--role', 'admin'])).code, 0);
      // Only a change made through this very node can end its sessions in this test: the database is read hourly.
      server = await ws.start(['--intake', 'off'], { LANYARD_SFTP_CREDENTIAL_CHECK: '3600' });
    });
    after(async () => {
      for (const s of sessions) s.close();
      await server?.stop();
      await ws?.dispose();
      if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    });

    test('removing a key in the web settings ends the district\'s sessions on that node at once; another district\'s goes on', async () => {
      const withKey = await open('springfield', { identity: key });
      const other = await open('shelbyville', { password: PASSWORD });
      const web = new WebClient(server);
      await web.signIn('admin@springfield.test', 'admin password 1');
      const res = await web.form('/settings/ssh-keys/remove', { fingerprint });
      assert.ok(res.status < 400, `removing the key answered ${res.status}`);

      assert.equal(await withKey.endedByServer(), true, 'the session that logged in with the key is ended');
      assert.match(await other.ls(), /idphotos/, 'the other district is still connected');
      const again = await opensshSftp({ port: server.sftpPort, username: 'springfield', identity: key }, ['ls /']);
      assert.notEqual(again.code, 0, 'the removed key no longer logs in');
    });

    test('a new password set on another node (the CLI) ends the district\'s sessions on this one when it next checks', async () => {
      await server.stop();
      server = await ws.start(['--intake', 'off'], { LANYARD_SFTP_CREDENTIAL_CHECK: '1' });
      const withPassword = await open('springfield', { password: PASSWORD });
      const other = await open('shelbyville', { password: PASSWORD });
      const r = await ws.cli(['district', 'password', 'springfield', '--password', NEW_PASSWORD]);
      assert.equal(r.code, 0, r.stderr);

      assert.equal(await withPassword.endedByServer(), true, 'the session with the old password is ended');
      assert.match(await other.ls(), /idphotos/, 'the other district is still connected');
      const fresh = await open('springfield', { password: NEW_PASSWORD });
      assert.match(await fresh.ls(), /idphotos/, 'the new password logs in');
      const old = await opensshSftp({ port: server.sftpPort, username: 'springfield', password: PASSWORD }, ['ls /']);
      assert.notEqual(old.code, 0, 'the old password does not');
    });
  });
}
