import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace } from '../helpers/lanyard.js';
import { run } from '../helpers/run.js';

for (const dialect of DIALECTS) {
  describe(`setting up a district from the command line (${dialect})`, () => {
    let ws: Workspace;
    before(async () => {
      ws = await Workspace.create(dialect);
    });
    after(() => ws?.dispose());

    test('district create --json gives the welcome sheet as the contract object, with a strong password', async () => {
      const d = await ws.cliJson<{
        slug: string;
        name: string;
        sftp: { host: string; port: number; username: string; password: string };
        hostKeys: Array<{ type: string; sha256: string; md5: string }>;
      }>(['district', 'create', 'shelbyville', '--name', 'Shelbyville Public Schools']);
      assert.equal(d.slug, 'shelbyville');
      assert.equal(d.name, 'Shelbyville Public Schools');
      assert.equal(d.sftp.username, 'shelbyville');
      assert.equal(d.sftp.port, 2222);
      assert.equal(typeof d.sftp.host, 'string');
      assert.ok(d.sftp.password.replace(/-/g, '').length >= 20, 'a generated password is long');
      assert.deepEqual(d.hostKeys.map((k) => k.type), ['ssh-ed25519', 'ssh-rsa']);
      for (const k of d.hostKeys) {
        assert.match(k.sha256, /^SHA256:[A-Za-z0-9+/]{43}$/);
        assert.match(k.md5, /^MD5:([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
      }
      const again = await ws.cliJson<{ hostKeys: unknown }>(['host-keys']);
      assert.deepEqual(again.hostKeys, d.hostKeys, 'host-keys prints the same fingerprints');
    });

    test('without --json a secretary gets a welcome sheet to follow', async () => {
      const r = await ws.cli(['district', 'create', 'ogdenville', '--name', 'Ogdenville', '--password', 'monorail-2026!']);
      assert.equal(r.code, 0, r.stderr);
      for (const line of [/Host:\s+\S+/, /Port:\s+2222/, /Username:\s+ogdenville/, /Password:\s+monorail-2026!/, /SHA256:/, /MD5:/, /idphotos/, /data/, /CHANGED/]) {
        assert.match(r.stdout, line);
      }
    });

    test('mistakes get a sentence saying what to do, and change nothing', async () => {
      let r = await ws.cli(['district', 'create', 'shelbyville', '--name', 'Again']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /A district called "shelbyville" already exists: choose another short name/);
      r = await ws.cli(['district', 'create', 'Bad Name!', '--name', 'x']);
      assert.match(r.stderr, /cannot be a district's short name/);
      r = await ws.cli(['district', 'create', 'capital-city', '--name', 'Capital City', '--password', 'short', '--json']);
      assert.equal(r.code, 1);
      assert.match(JSON.parse(r.stdout).error, /too short/);
      r = await ws.cli(['token', 'create', 'nowhere']);
      assert.match(r.stderr, /There is no district called "nowhere"/);
    });

    test('SSH keys: a .pub file is added; a private key or garbage is refused; key-only login needs a key first', async () => {
      const dir = path.join(ws.dataDir, 'keys');
      await fs.mkdir(dir);
      const key = path.join(dir, 'id_ed25519');
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'tech@shelbyville', '-f', key]);

      let r = await ws.cli(['district', 'auth', 'shelbyville', '--require', 'publickey']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /has no SSH key yet, so requiring one would lock everyone out/);

      r = await ws.cli(['district', 'key', 'add', 'shelbyville', key]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /That is a private key: never share it/);

      await fs.writeFile(path.join(dir, 'junk.pub'), 'hello world');
      r = await ws.cli(['district', 'key', 'add', 'shelbyville', path.join(dir, 'junk.pub')]);
      assert.match(r.stderr, /not an OpenSSH public key/);

      r = await ws.cli(['district', 'key', 'add', 'shelbyville', `${key}.pub`]);
      assert.equal(r.code, 0, r.stderr);
      const fp = (await run('ssh-keygen', ['-lf', `${key}.pub`])).stdout.split(' ')[1];
      assert.match(r.stdout, new RegExp(`Added ssh-ed25519 key ${fp!.replace(/[+/]/g, '\\$&')} to shelbyville`));

      r = await ws.cli(['district', 'key', 'add', 'shelbyville', `${key}.pub`]);
      assert.match(r.stderr, /already on "shelbyville"/);

      r = await ws.cli(['district', 'auth', 'shelbyville', '--require', 'both']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /an SSH key and a password/);
      r = await ws.cli(['district', 'auth', 'shelbyville', '--require', 'sometimes']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Allowed choices are password, publickey, both, either/);
    });

    test('token create --json prints one token', async () => {
      const t = await ws.token('shelbyville');
      assert.match(t, /^lny_[A-Za-z0-9_-]{40,}$/);
    });
  });
}
