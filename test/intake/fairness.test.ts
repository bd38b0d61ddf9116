import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openDb, type Db } from '../../src/db/db.js';
import { insertEvent } from '../../src/intake/events.js';
import { claimEvents } from '../../src/intake/queue.js';
import { createDatabase, dropDatabase, DIALECTS } from '../helpers/databases.js';

for (const dialect of DIALECTS) {
  describe(`districts take turns in the intake (${dialect})`, () => {
    let db: Db;
    let dir: string;
    let url: string | undefined;
    const district: Record<'a' | 'b' | 'c', number> = { a: 0, b: 0, c: 0 };

    before(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fair-'));
      url = await createDatabase(dialect);
      db = await openDb({ dataDir: dir, databaseUrl: url });
      for (const slug of ['a', 'b', 'c'] as const) {
        const row = await db.kysely
          .insertInto('districts')
          .values({ slug, name: slug, sftp_password_hash: 'x', sftp_auth: 'password', created_at: new Date().toISOString() })
          .returning('id')
          .executeTakeFirstOrThrow();
        district[slug] = row.id;
      }
    });
    after(async () => {
      await db?.close();
      await dropDatabase(url);
      await fs.rm(dir, { recursive: true, force: true });
    });

    const upload = (districtId: number, file: string) =>
      db.kysely.transaction().execute((trx) => insertEvent(trx, { districtId, source: 'sftp', folder: 'idphotos', file, action: 'upload' }));

    test("one photo from district B, uploaded behind district A's 1,000, is in the next claim; C's two come in turn", async () => {
      const backlog: number[] = [];
      for (let i = 0; i < 1000; i++) backlog.push(await upload(district.a, `${100000 + i}.jpg`));
      const [b1] = [await upload(district.b, '200000.jpg')];
      const [c1, c2] = [await upload(district.c, '300000.jpg'), await upload(district.c, '300001.jpg')];

      // A worker that has just served district A begins after it.
      const first = await claimEvents(db, { folder: 'idphotos', limit: 6, leaseSeconds: 60, afterDistrict: district.a });
      assert.deepEqual(
        first.map((e) => e.id),
        [b1, c1, backlog[0], c2, backlog[1], backlog[2]],
        'B and C first (each their oldest), then turns; A still gets its oldest',
      );
      // Then A's backlog, oldest first, and nothing twice.
      const next = await claimEvents(db, { folder: 'idphotos', limit: 6, leaseSeconds: 60, afterDistrict: first.at(-1)?.district_id });
      assert.deepEqual(next.map((e) => e.id), backlog.slice(3, 9));
    });
  });
}
