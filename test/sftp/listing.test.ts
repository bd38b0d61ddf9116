import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { openDb } from '../../src/db/db.js';
import { createFsBlobStore } from '../../src/blobs/fsBlobStore.js';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { opensshSftp, type Login } from '../helpers/openssh.js';
import path from 'node:path';

const COUNT = 50_000;

for (const dialect of DIALECTS) {
  describe(`a folder of ${COUNT} photos (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let login: Login;

    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('bigdistrict');
      // Fill the folder directly: 50,000 uploads one by one would test patience, not listing.
      const blob = await createFsBlobStore(path.join(ws.dataDir, 'blobs')).putBuffer(Buffer.from('photo'));
      const db = await openDb({ dataDir: ws.dataDir, databaseUrl: ws.databaseUrl });
      const d = await db.kysely.selectFrom('districts').select('id').where('slug', '=', 'bigdistrict').executeTakeFirstOrThrow();
      const rows = Array.from({ length: COUNT }, (_, i) => ({
        district_id: d.id,
        folder: 'idphotos' as const,
        name: `${String(100000 + i)}.jpg`,
        blob_key: blob.key,
        sha256: createHash('sha256').update('photo').digest('hex'),
        size: 5,
        modified_at: new Date().toISOString(),
      }));
      await db.kysely.transaction().execute(async (trx) => {
        for (let i = 0; i < rows.length; i += 1000) await trx.insertInto('dropbox_files').values(rows.slice(i, i + 1000)).execute();
      });
      await db.close();
      server = await ws.start();
      login = { port: server.sftpPort, username: 'bigdistrict', password: 'correct horse battery staple' };
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
    });

    test('lists every file exactly once, in order, and ends', async () => {
      const r = await opensshSftp(login, ['ls -1 idphotos']);
      assert.equal(r.code, 0, r.stderr);
      const names = r.stdout.split('\n').filter((l) => l.startsWith('idphotos/'));
      assert.equal(names.length, COUNT);
      assert.equal(new Set(names).size, COUNT);
      assert.equal(names[0], 'idphotos/100000.jpg');
      assert.equal(names[COUNT - 1], `idphotos/${100000 + COUNT - 1}.jpg`);
    });
  });
}
