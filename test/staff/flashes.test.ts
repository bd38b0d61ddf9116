import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openDb, type Db } from '../../src/db/db.js';
import { createDistrict } from '../../src/districts/districts.js';
import { FLASH_LIFETIME_SECONDS, putFlash, takeFlash } from '../../src/staff/flashes.js';
import { endSession, startSession } from '../../src/staff/sessions.js';
import { createStaff, removeStaff, type StaffMember } from '../../src/staff/staff.js';
import { isoPlusSeconds, nowIso } from '../../src/shared/time.js';
import { createDatabase, dropDatabase, DIALECTS } from '../helpers/databases.js';

const BY = { actor: 'test', address: null };

for (const dialect of DIALECTS) {
  describe(`one-use flashes between a form's POST and the page after its redirect (${dialect})`, () => {
    let db: Db;
    let dir: string;
    let url: string | undefined;
    let edna: StaffMember;
    let seymour: StaffMember;
    const rows = async () => (await db.kysely.selectFrom('web_flashes').select('id').execute()).length;

    before(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'flashes-'));
      url = await createDatabase(dialect);
      db = await openDb({ dataDir: dir, databaseUrl: url });
      await createDistrict(db, { slug: 'springfield', name: 'Springfield' });
      edna = await createStaff(db, { slug: 'springfield', email: 'edna@springfield.k12.us', password: 'apple-polish-42', role: 'technician' }, BY);
      seymour = await createStaff(db, { slug: 'springfield', email: 'seymour@springfield.k12.us', password: 'apple-polish-43', role: 'admin' }, BY);
    });
    after(async () => {
      await db?.close();
      await dropDatabase(url);
      await fs.rm(dir, { recursive: true, force: true });
    });

    test('is read once: the second read (a reload) finds nothing, and the secret is gone from the database', async () => {
      const { cookie } = await startSession(db, seymour);
      const message = { notice: 'Done.', secret: { label: 'The new SFTP password', value: 'hunter2-but-longer' } };
      const id = await putFlash(db, cookie, message);
      const stored = await db.kysely.selectFrom('web_flashes').select('payload').where('id', '=', id).executeTakeFirstOrThrow();
      assert.match(stored.payload, /hunter2-but-longer/, 'kept until shown');
      assert.deepEqual(await takeFlash(db, cookie, id), message);
      assert.equal(await takeFlash(db, cookie, id), undefined);
      assert.equal(await db.kysely.selectFrom('web_flashes').select('id').where('id', '=', id).executeTakeFirst(), undefined);
    });

    test('is bound to its session: another signed-in session with the id reads nothing, and does not use it up', async () => {
      const mine = (await startSession(db, seymour)).cookie;
      const theirs = (await startSession(db, edna)).cookie;
      const id = await putFlash(db, mine, { notice: 'API token 3 made.', secret: { label: 'API token 3', value: 'lny_secret' } });
      assert.equal(await takeFlash(db, theirs, id), undefined);
      assert.equal(await takeFlash(db, 'not-a-session', id), undefined);
      assert.equal((await takeFlash(db, mine, id))?.secret?.value, 'lny_secret');
    });

    test('expires unread after ten minutes, and expired ones are swept as new ones are written', async () => {
      const { cookie } = await startSession(db, seymour);
      const long = isoPlusSeconds(nowIso(), -(FLASH_LIFETIME_SECONDS + 1));
      const old = await putFlash(db, cookie, { notice: 'Long ago.' }, long);
      assert.equal(await takeFlash(db, cookie, old), undefined, 'too late to be shown');
      const stale = await putFlash(db, cookie, { notice: 'Never read.' }, long);
      await putFlash(db, cookie, { notice: 'Fresh.' });
      assert.equal(await db.kysely.selectFrom('web_flashes').select('id').where('id', '=', stale).executeTakeFirst(), undefined, 'swept');
      const soon = await putFlash(db, cookie, { notice: 'Within its time.' });
      assert.equal((await takeFlash(db, cookie, soon, isoPlusSeconds(nowIso(), FLASH_LIFETIME_SECONDS - 5)))?.notice, 'Within its time.');
    });

    test('goes with its session: signing out or removing the account forgets what was not read', async () => {
      const before = await rows();
      const { cookie } = await startSession(db, edna);
      await putFlash(db, cookie, { notice: 'Bye.' });
      await endSession(db, cookie);
      const other = (await startSession(db, edna)).cookie;
      await putFlash(db, other, { secret: { label: 'x', value: 'y' } });
      assert.equal(await rows(), before + 1);
      await removeStaff(db, edna.districtId, edna.id, BY);
      assert.equal(await rows(), before);
    });
  });
}
