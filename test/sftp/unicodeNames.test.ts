import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { after, before, describe, test } from 'node:test';
import { openDb } from '../../src/db/db.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { paramiko, psftp, type ClientLogin } from '../helpers/clients.js';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';

const PASSWORD = 'correct horse battery staple';
const COMPOSED = 'Élèves Zoë.csv';
const DECOMPOSED = COMPOSED.normalize('NFD');

/**
 * "é" can reach the server as one character (Windows, most keyboards) or as
 * "e" and a combining accent (macOS file names). The drop box keeps names in
 * NFC, so both are one file, and names stored before are brought to NFC.
 */
for (const dialect of DIALECTS) {
  describe(`file names typed two ways are one file (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard | undefined;
    let tmp: string;
    let login: ClientLogin;

    before(async () => {
      ws = await Workspace.create(dialect);
      const sheet = await ws.district('springfield', PASSWORD);
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'unicode-'));
      login = { port: 0, username: 'springfield', password: PASSWORD, hostKeys: sheet.hostKeys.map((k) => k.sha256) };
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
      if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    });

    test('names stored before in another form are brought to NFC; of two that are now one, the later stays', async () => {
      const db = await openDb({ dataDir: ws.dataDir, databaseUrl: ws.databaseUrl });
      try {
        const district = await db.kysely.selectFrom('districts').select('id').where('slug', '=', 'springfield').executeTakeFirstOrThrow();
        const row = (name: string, modified_at: string, sha: string) => ({ district_id: district.id, folder: 'data' as const, name, blob_key: sha, sha256: sha, size: 1, modified_at });
        await db.kysely
          .insertInto('dropbox_files')
          .values([
            row(DECOMPOSED, '2026-01-02T00:00:00.000Z', 'b'.repeat(64)),
            row(COMPOSED, '2026-01-01T00:00:00.000Z', 'a'.repeat(64)),
            row('Café.csv'.normalize('NFD'), '2026-01-01T00:00:00.000Z', 'c'.repeat(64)),
          ])
          .execute();
        await sql`DELETE FROM kysely_migration WHERE name = '0013_nfc_file_names'`.execute(db.kysely);
        await migrateToLatest(db);
        const rows = await db.kysely.selectFrom('dropbox_files').select(['name', 'sha256']).where('district_id', '=', district.id).orderBy('name').execute();
        assert.deepEqual(rows, [
          { name: 'Café.csv', sha256: 'c'.repeat(64) },
          { name: COMPOSED, sha256: 'b'.repeat(64) },
        ]);
        await db.kysely.deleteFrom('dropbox_files').where('district_id', '=', district.id).execute();
      } finally {
        await db.close();
      }
    });

    test('uploading the decomposed name, then the composed one, replaces one file; either name downloads it', async () => {
      server = await ws.start(['--intake', 'off']);
      login.port = server.sftpPort;
      const first = path.join(tmp, 'first.csv');
      const second = path.join(tmp, 'second.csv');
      const back = path.join(tmp, 'back.csv');
      await fs.writeFile(first, 'Local ID\n1\n');
      await fs.writeFile(second, 'Local ID\n1\n2\n');
      let r = await paramiko.run(login, [{ op: 'put', local: first, remote: `data/${DECOMPOSED}` }]);
      assert.ok(r.ok, r.output);
      r = await paramiko.run(login, [
        { op: 'put', local: second, remote: `data/${COMPOSED}` },
        { op: 'get', remote: `data/${DECOMPOSED}`, local: back },
        { op: 'ls', path: 'data' },
      ]);
      assert.ok(r.ok, r.output);
      assert.deepEqual(r.listing!.map((e) => [e.name, e.size]), [[COMPOSED, 13]], 'one file, listed in NFC');
      assert.equal(await fs.readFile(back, 'utf8'), 'Local ID\n1\n2\n');
      const p = await psftp.run(login, [{ op: 'rm', path: `data/${DECOMPOSED}` }, { op: 'ls', path: 'data' }]);
      assert.ok(p.ok, p.output);
      assert.deepEqual(p.listing!.filter((e) => !e.dir), [], 'deleting by the other form deletes it');
    });
  });
}
