import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { openDb, type Db } from '../../src/db/db.js';
import { createDistrict } from '../../src/districts/districts.js';
import { createSessionCache } from '../../src/staff/sessionCache.js';
import { endSession, startSession } from '../../src/staff/sessions.js';
import { createStaff, type StaffMember } from '../../src/staff/staff.js';
import { createDatabase, dropDatabase, DIALECTS } from '../helpers/databases.js';

for (const dialect of DIALECTS) {
  describe(`the recent-session cache photo requests use (${dialect})`, () => {
    let db: Db;
    let dir: string;
    let url: string | undefined;
    let edna: StaffMember;

    before(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'session-cache-'));
      url = await createDatabase(dialect);
      db = await openDb({ dataDir: dir, databaseUrl: url });
      await createDistrict(db, { slug: 'springfield', name: 'Springfield' });
      edna = await createStaff(db, { slug: 'springfield', email: 'edna@springfield.k12.us', password: 'apple-polish-42', role: 'technician' }, { actor: 'test', address: null });
    });
    after(async () => {
      await db?.close();
      await dropDatabase(url);
      await fs.rm(dir, { recursive: true, force: true });
    });

    test('finds the session with its district, and a made-up cookie finds nothing', async () => {
      const cache = createSessionCache(db, { ttlMs: 60_000, max: 100 });
      const { cookie } = await startSession(db, edna);
      const found = await cache.resolve(cookie);
      assert.equal(found?.session.staff.email, 'edna@springfield.k12.us');
      assert.equal(found?.district.slug, 'springfield');
      assert.equal(await cache.resolve('made-up-cookie'), undefined);
    });

    test('a session ended elsewhere is trusted only until the cache time runs out; one ended here is forgotten at once', async () => {
      const cache = createSessionCache(db, { ttlMs: 300, max: 100 });
      const elsewhere = (await startSession(db, edna)).cookie;
      const here = (await startSession(db, edna)).cookie;
      assert.ok(await cache.resolve(elsewhere));
      assert.ok(await cache.resolve(here));

      await endSession(db, elsewhere);
      assert.ok(await cache.resolve(elsewhere), 'another node ended it: still trusted for the cache time');
      await endSession(db, here);
      cache.forget(here);
      assert.equal(await cache.resolve(here), undefined, 'ended on this node: gone at once');

      await sleep(400);
      assert.equal(await cache.resolve(elsewhere), undefined, 'the cache time has run out');
    });

    test('a removed staff member\'s sessions are forgotten, and no entry outlives its session', async () => {
      const cache = createSessionCache(db, { ttlMs: 60_000, max: 100 });
      const { cookie } = await startSession(db, edna);
      assert.ok(await cache.resolve(cookie));
      await endSession(db, cookie);
      cache.forgetStaff(edna.id);
      assert.equal(await cache.resolve(cookie), undefined);

      const short = (await startSession(db, edna)).cookie;
      const soon = new Date(Date.now() + 300).toISOString();
      await db.kysely.updateTable('web_sessions').set({ expires_at: soon }).where('staff_id', '=', edna.id).execute();
      assert.ok(await cache.resolve(short), 'still valid for a moment');
      await sleep(400);
      assert.equal(await cache.resolve(short), undefined, 'expired: the cache holds it no longer than the session lasts');
    });
  });
}
