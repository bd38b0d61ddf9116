import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listAudit } from '../../src/audit/audit.js';
import { openDb } from '../../src/db/db.js';
import { DEFAULT_ROSTER_SETTINGS } from '../../src/roster/index.js';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { run } from '../helpers/run.js';
import { WebClient } from '../helpers/webClient.js';

const ADMIN = { email: 'skinner@shelbyville.k12.us', password: 'superintendent-1' };
const SETTINGS_ACTIONS = ['settings.ssh-key-added', 'settings.sftp-auth', 'settings.sftp-password', 'settings.roster'];

for (const dialect of DIALECTS) {
  describe(`settings changes are audited alike from the CLI and the web (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard | undefined;
    let keyFile: string;

    /** The district's audit entries, oldest first. */
    const auditOf = async (slug: string) => {
      const db = await openDb({ dataDir: ws.dataDir, databaseUrl: ws.databaseUrl });
      try {
        const d = await db.kysely.selectFrom('districts').select('id').where('slug', '=', slug).executeTakeFirstOrThrow();
        return (await listAudit(db, d.id)).reverse();
      } finally {
        await db.close();
      }
    };
    const cli = async (args: string[]) => {
      const r = await ws.cli(args);
      assert.equal(r.code, 0, r.stderr);
      return r;
    };

    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('springfield');
      await ws.district('shelbyville');
      const dir = await fs.mkdtemp(path.join(ws.dataDir, 'key-'));
      keyFile = path.join(dir, 'id_ed25519');
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'tech@district', '-f', keyFile]);
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
    });

    test('each change made with the CLI leaves its audit entry; a refused one leaves none, and no secret is written', async () => {
      const refused = await ws.cli(['district', 'auth', 'springfield', '--require', 'publickey']);
      assert.equal(refused.code, 1, 'no key yet');
      await cli(['district', 'key', 'add', 'springfield', `${keyFile}.pub`]);
      await cli(['district', 'auth', 'springfield', '--require', 'publickey']);
      await cli(['district', 'password', 'springfield', '--password', 'a-new-secret-password-1']);
      await cli(['roster', 'settings', 'springfield', '--deactivate-limit', '20', '--daily', '02:30']);
      await cli(['roster', 'settings', 'springfield']);

      const entries = await auditOf('springfield');
      assert.deepEqual(
        entries.map((e) => e.action),
        SETTINGS_ACTIONS,
        'one entry per change, in order; the refused change and the read-only `roster settings` wrote none',
      );
      for (const e of entries) {
        assert.match(e.actor, /^cli/);
        assert.equal(e.address, null);
      }
      const fingerprint = (await run('ssh-keygen', ['-lf', `${keyFile}.pub`])).stdout.split(' ')[1];
      assert.deepEqual(entries[0]!.detail, { fingerprint });
      assert.deepEqual(entries[1]!.detail, { mode: 'publickey' });
      assert.deepEqual(entries[2]!.detail, {});
      assert.deepEqual(entries[3]!.detail, { settings: { ...DEFAULT_ROSTER_SETTINGS, deactivateLimitPercent: 20 }, dailyImport: '02:30' });
      assert.doesNotMatch(JSON.stringify(entries), /a-new-secret-password-1/);
    });

    test('the same changes made on the web pages leave the same entries, naming the staff member and their address', async () => {
      await cli(['staff', 'create', 'shelbyville', '--email', ADMIN.email, '--password', ADMIN.password, '--role', 'admin']);
      server = await ws.start();
      const admin = new WebClient(server);
      await admin.signIn(ADMIN.email, ADMIN.password);
      await admin.page('/settings');
      const changes: Array<[string, Record<string, string>]> = [
        ['/settings/ssh-keys', { key: await fs.readFile(`${keyFile}.pub`, 'utf8') }],
        ['/settings/sftp-auth', { mode: 'publickey' }],
        ['/settings/sftp-password', {}],
        [
          '/rosters/settings',
          {
            deactivateLimitPercent: '20',
            cleverStudents: DEFAULT_ROSTER_SETTINGS.cleverIdColumn.students,
            cleverTeachers: DEFAULT_ROSTER_SETTINGS.cleverIdColumn.teachers,
            cleverStaff: DEFAULT_ROSTER_SETTINGS.cleverIdColumn.staff,
            oneRosterId: DEFAULT_ROSTER_SETTINGS.oneRosterId,
            gradeOverrides: '',
            dailyAt: '02:30',
          },
        ],
      ];
      for (const [url, fields] of changes) assert.equal((await admin.form(url, fields)).status, 303, url);

      const web = (await auditOf('shelbyville')).filter((e) => e.action !== 'staff.created');
      const cliEntries = await auditOf('springfield');
      assert.deepEqual(
        web.map((e) => ({ action: e.action, detail: e.detail })),
        cliEntries.map((e) => ({ action: e.action, detail: e.detail })),
      );
      for (const e of web) {
        assert.equal(e.actor, ADMIN.email);
        assert.equal(e.address, '127.0.0.1');
      }
    });
  });
}
