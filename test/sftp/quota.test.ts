import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchChromium, signIn } from '../helpers/browser.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { opensshSftp, type Login } from '../helpers/openssh.js';
import { run } from '../helpers/run.js';
import { DIALECTS } from '../helpers/databases.js';

const PASSWORD = 'correct horse battery staple';

for (const dialect of DIALECTS) {
  describe(`per-district quota (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let tmp: string;
    let login: Login;
    let hostKeys: string[];

    const psftp = async (commands: string[]) => {
      const script = path.join(tmp, 'batch.txt');
      await fs.writeFile(script, `${commands.join('\n')}\n`);
      return run('psftp', ['-batch', '-b', script, '-P', String(server.sftpPort), ...hostKeys.flatMap((k) => ['-hostkey', k]), '-pw', PASSWORD, 'springfield@127.0.0.1']);
    };

    before(async () => {
      ws = await Workspace.create(dialect);
      const sheet = await ws.district('springfield', PASSWORD);
      hostKeys = sheet.hostKeys.map((k) => k.sha256);
      // The server's default is large; the district's own quota is what counts.
      server = await ws.start(['--intake', 'off']);
      login = { port: server.sftpPort, username: 'springfield', password: PASSWORD };
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'lanyard-quota-'));
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
      await fs.rm(tmp, { recursive: true, force: true });
    });

    test('an upload past the byte quota is refused with what is left, through OpenSSH sftp and psftp; what was there stays', async () => {
      const q = await ws.cliJson<{ quota: { bytes: number; files: number }; used: { bytes: number } }>(['district', 'quota', 'springfield', '--bytes', String(1024 * 1024), '--files', '10']);
      assert.deepEqual([q.quota.bytes, q.quota.files, q.used.bytes], [1024 * 1024, 10, 0]);
      const first = randomBytes(600 * 1024);
      const local = path.join(tmp, 'a.csv');
      await fs.writeFile(local, first);
      const ok = await opensshSftp(login, [`put ${local} data/one.csv`]);
      assert.equal(ok.code, 0, ok.output);

      const second = path.join(tmp, 'b.csv');
      await fs.writeFile(second, randomBytes(600 * 1024));
      const refused = await opensshSftp(login, [`put ${second} data/two.csv`]);
      assert.notEqual(refused.code, 0, refused.output);
      assert.match(refused.output, /two\.csv was not stored: it would not fit in the drop box's 1 MB quota \(424 KB of 1 MB and 9 of 10 files are left\)/, refused.output);

      const viaPsftp = await psftp([`put ${second} data/three.csv`]);
      assert.notEqual(viaPsftp.code, 0, viaPsftp.output);
      assert.match(viaPsftp.output, /three\.csv was not stored: it would not fit in the drop box's 1 MB quota \(424 KB of 1 MB/, viaPsftp.output);

      const ls = await opensshSftp(login, ['ls data', `get data/one.csv ${tmp}/back.csv`]);
      assert.equal(ls.code, 0, ls.output);
      assert.doesNotMatch(ls.stdout, /two\.csv|three\.csv/);
      assert.deepEqual(await fs.readFile(path.join(tmp, 'back.csv')), first);
    });

    test('past the file quota a new file is refused at once, a file replaced still fits, and a raised quota lets it in', async () => {
      await ws.cliJson(['district', 'quota', 'springfield', '--bytes', 'default', '--files', '1']);
      const local = path.join(tmp, 'c.csv');
      await fs.writeFile(local, randomBytes(10 * 1024));
      const refused = await opensshSftp(login, [`put ${local} data/new.csv`]);
      assert.notEqual(refused.code, 0, refused.output);
      assert.match(refused.output, /new\.csv was not stored: the drop box already holds its limit of 1 files \(.* and 0 of 1 files are left\)/, refused.output);
      const replaced = await opensshSftp(login, [`put ${local} data/one.csv`]);
      assert.equal(replaced.code, 0, replaced.output);

      await ws.cliJson(['district', 'quota', 'springfield', '--files', '2']);
      const now = await opensshSftp(login, [`put ${local} data/new.csv`, 'df -i']);
      assert.equal(now.code, 0, now.output);
      const q = await ws.cliJson<{ quota: { bytes: number; files: number; ownBytes: boolean }; used: { bytes: number; files: number } }>(['district', 'quota', 'springfield']);
      assert.deepEqual(q, { slug: 'springfield', quota: { bytes: 100 * 1024 ** 3, files: 2, ownBytes: false, ownFiles: true }, used: { bytes: 20 * 1024, files: 2 } });
    });

    test('the Settings page shows the quota beside what the drop box holds', async () => {
      await ws.cli(['staff', 'create', 'springfield', '--email', 'edna@springfield.k12.us', '--password', 'teacher-of-4th', '--role', 'viewer']);
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        await signIn(page, server, 'edna@springfield.k12.us', 'teacher-of-4th', '/settings');
        const card = (await page.textContent('#quota')) ?? '';
        assert.match(card, /Storage quota/);
        assert.match(card, /Space\s*20 KB\s*100 GB\s*100\.0 GB/, card);
        assert.match(card, /Files\s*2\s*2\s*0/, card);
      } finally {
        await browser.close();
      }
    });

    test('a quota that is not a number is refused with a sentence', async () => {
      const r = await ws.cli(['district', 'quota', 'springfield', '--bytes', '10GB']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /--bytes takes a whole number of bytes or "default"/);
    });
  });
}
