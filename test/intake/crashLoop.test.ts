import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { openDb, type Db } from '../../src/db/db.js';
import { insertEvent } from '../../src/intake/events.js';
import { claimEvents } from '../../src/intake/queue.js';
import { startIntakeWorker } from '../../src/intake/worker.js';
import { createDatabase, dropDatabase, DIALECTS } from '../helpers/databases.js';

for (const dialect of DIALECTS) {
  describe(`an upload whose processing kills the process (${dialect})`, () => {
    let db: Db;
    let dir: string;
    let url: string | undefined;

    before(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'crashloop-'));
      url = await createDatabase(dialect);
      db = await openDb({ dataDir: dir, databaseUrl: url });
    });
    after(async () => {
      await db?.close();
      await dropDatabase(url);
      await fs.rm(dir, { recursive: true, force: true });
    });

    test('is not run a fourth time after three claims that never finished: the district reads that it could not be processed', async () => {
      const district = await db.kysely
        .insertInto('districts')
        .values({ slug: 'loop', name: 'Loop', sftp_password_hash: 'x', sftp_auth: 'password', created_at: new Date().toISOString() })
        .returning('id')
        .executeTakeFirstOrThrow();
      const id = await db.kysely
        .transaction()
        .execute((trx) => insertEvent(trx, { districtId: district.id, source: 'sftp', folder: 'idphotos', file: '123456.jpg', action: 'upload' }));
      // Three processes claimed it and died before finishing (their leases ran out at once).
      for (let i = 0; i < 3; i++) assert.deepEqual((await claimEvents(db, { folder: 'idphotos', limit: 1, leaseSeconds: -1 })).map((e) => e.id), [id]);

      let decided = 0;
      const worker = startIntakeWorker({
        db,
        log: pino({ level: 'silent' }),
        pollMs: 20,
        handlers: [
          {
            folder: 'idphotos',
            concurrency: 1,
            settleSeconds: 0,
            leaseSeconds: 30,
            decide() {
              decided++;
              throw new Error('the handler must not run again');
            },
          },
        ],
      });
      try {
        for (;;) {
          const row = await db.kysely.selectFrom('intake_events').select(['outcome', 'message']).where('id', '=', id).executeTakeFirstOrThrow();
          if (row.outcome !== 'received') {
            assert.equal(row.outcome, 'rejected');
            assert.match(row.message ?? '', /could not process "123456\.jpg" after 3 tries/);
            break;
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      } finally {
        await worker.stop();
      }
      assert.equal(decided, 0);
    });
  });
}
