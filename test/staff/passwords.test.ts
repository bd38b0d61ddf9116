import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openDb, type Db } from '../../src/db/db.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createDistrict } from '../../src/districts/districts.js';
import { hashPassword } from '../../src/districts/passwords.js';
import { isLanyardError } from '../../src/shared/errors.js';
import { changeOwnPassword, resetStaffPassword, resetStaffPasswordByEmail } from '../../src/staff/passwordChanges.js';
import { openReveal, sealReveal } from '../../src/staff/passwordReveal.js';
import { resolveSession, startSession } from '../../src/staff/sessions.js';
import { createStaff, inviteStaff, verifyStaffLogin, type StaffMember } from '../../src/staff/staff.js';
import { createDatabase, dropDatabase, DIALECTS } from '../helpers/databases.js';

const BY = { actor: 'skinner@springfield.k12.us', address: '10.0.0.1' };
const DAY = 86_400_000;

/** Rejects with a LanyardError whose message matches. */
async function refused(p: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => isLanyardError(err) && message.test(err.message));
}

for (const dialect of DIALECTS) {
  describe(`staff passwords: one-time, changed, reset (${dialect})`, () => {
    let db: Db;
    let dir: string;
    let url: string | undefined;
    let skinner: StaffMember;

    before(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'staff-passwords-'));
      url = await createDatabase(dialect);
      db = await openDb({ dataDir: dir, databaseUrl: url });
      await createDistrict(db, { slug: 'springfield', name: 'Springfield' });
      await createDistrict(db, { slug: 'shelbyville', name: 'Shelbyville' });
      skinner = await createStaff(db, { slug: 'springfield', email: 'skinner@springfield.k12.us', password: 'superintendent-1', role: 'admin' }, BY);
    });
    after(async () => {
      await db?.close();
      await dropDatabase(url);
      await fs.rm(dir, { recursive: true, force: true });
    });

    const actions = async (email: string) =>
      (await db.kysely.selectFrom('audit_log').select(['action', 'detail']).where('action', 'like', 'staff.password-%').orderBy('id').execute())
        .filter((r) => (JSON.parse(r.detail) as { email?: string }).email === email)
        .map((r) => r.action);

    test('a password given with `staff create` is the person\'s own: not forced, no expiry', async () => {
      const login = await verifyStaffLogin(db, 'skinner@springfield.k12.us', 'superintendent-1');
      assert.equal(login?.member.mustChangePassword, false);
      assert.equal(login?.oneTimeExpired, false);
    });

    test('an invited colleague must change the one-time password; the change checks everything and ends their other sessions', async () => {
      const { member, password, expiresAt } = await inviteStaff(db, { slug: 'springfield', email: 'edna@springfield.k12.us', role: 'technician' }, BY);
      const days = (Date.parse(expiresAt) - Date.now()) / DAY;
      assert.ok(days > 6.9 && days <= 7, `expires in 7 days (${days})`);
      const login = await verifyStaffLogin(db, 'edna@springfield.k12.us', password);
      assert.equal(login?.member.mustChangePassword, true);
      assert.equal(login?.oneTimeExpired, false);

      const here = await startSession(db, member);
      const elsewhere = await startSession(db, member);
      assert.equal((await resolveSession(db, here.cookie))?.staff.mustChangePassword, true);

      const change = (current: string, next: string, repeat = next) => changeOwnPassword(db, { staffId: member.id, current, next, repeat, keepCookie: here.cookie }, { actor: member.email, address: null });
      await refused(change('not-it-at-all', 'apple-polish-42'), /current password is not right/);
      await refused(change(password, 'apple-polish-42', 'apple-polish-43'), /two new passwords are not the same/);
      await refused(change(password, 'short'), /^That password is too short: use at least 8 characters\.$/);
      await refused(change(password, password), /same as the current one/);
      assert.equal((await verifyStaffLogin(db, 'edna@springfield.k12.us', password))?.member.mustChangePassword, true, 'refusals change nothing');

      const changed = await change(password, 'apple-polish-42');
      assert.equal(changed.mustChangePassword, false);
      assert.equal(await verifyStaffLogin(db, 'edna@springfield.k12.us', password), undefined, 'the one-time password no longer works');
      const now = await verifyStaffLogin(db, 'edna@springfield.k12.us', 'apple-polish-42');
      assert.deepEqual([now?.member.mustChangePassword, now?.oneTimeExpired], [false, false]);
      assert.equal((await resolveSession(db, here.cookie))?.staff.mustChangePassword, false, 'this browser stays signed in');
      assert.equal(await resolveSession(db, elsewhere.cookie), undefined, 'the other browser is signed out');
      assert.deepEqual(await actions('edna@springfield.k12.us'), ['staff.password-changed']);
    });

    // PostgreSQL only: it can hold the row while the change runs, which forces the order; SQLite's one connection cannot.
    if (dialect === 'postgres') {
      test('a reset that commits while a member changes their password stays: the change is refused, not written over it', async () => {
        const lisa = await createStaff(db, { slug: 'springfield', email: 'lisa@springfield.k12.us', password: 'saxophone-1', role: 'technician' }, BY);
        const here = await startSession(db, lisa);
        let change: Promise<StaffMember> | undefined;
        await db.kysely.transaction().execute(async (trx) => {
          // An admin's reset, as resetStaffPassword writes it, committed only once the change has read the old password.
          const oneTime = await hashPassword('one-time-pass-7');
          await trx.updateTable('staff').set({ password_hash: oneTime, must_change_password: 1 }).where('id', '=', lisa.id).execute();
          change = changeOwnPassword(db, { staffId: lisa.id, current: 'saxophone-1', next: 'trombone-22', repeat: 'trombone-22', keepCookie: here.cookie }, { actor: lisa.email, address: null });
          change.catch(() => undefined);
          const deadline = Date.now() + 20_000;
          // The change checked the old password and now waits for the row: commit the reset under it.
          while ((await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(db.kysely)).rows[0]!.n === 0) {
            assert.ok(Date.now() < deadline, 'the change never reached the row');
            await new Promise((r) => setTimeout(r, 20));
          }
        });
        await refused(change!, /was reset a moment ago, so it was not changed/);
        assert.ok(await verifyStaffLogin(db, 'lisa@springfield.k12.us', 'one-time-pass-7'), 'the reset password works');
        assert.equal(await verifyStaffLogin(db, 'lisa@springfield.k12.us', 'trombone-22'), undefined, 'the change wrote nothing');
        assert.equal(await verifyStaffLogin(db, 'lisa@springfield.k12.us', 'saxophone-1'), undefined);
      });
    }

    test('a one-time password past its date still matches, but says it has expired', async () => {
      const { member, password } = await inviteStaff(db, { slug: 'springfield', email: 'otto@springfield.k12.us', role: 'viewer' }, BY);
      await db.kysely.updateTable('staff').set({ one_time_expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', member.id).execute();
      const login = await verifyStaffLogin(db, 'otto@springfield.k12.us', password);
      assert.equal(login?.oneTimeExpired, true);
      assert.equal(await verifyStaffLogin(db, 'otto@springfield.k12.us', 'wrong-password'), undefined, 'a wrong one is just wrong');
    });

    test('an admin resets a colleague: new one-time password, old one and every session gone, audited; never their own', async () => {
      const willie = await createStaff(db, { slug: 'springfield', email: 'willie@springfield.k12.us', password: 'groundskeeper-1', role: 'technician' }, BY);
      const session = await startSession(db, willie);
      const reset = await resetStaffPassword(db, { districtId: willie.districtId, staffId: willie.id, byStaffId: skinner.id }, BY);
      assert.equal(reset.member.email, 'willie@springfield.k12.us');
      assert.equal(await resolveSession(db, session.cookie), undefined, 'their sessions end');
      assert.equal(await verifyStaffLogin(db, 'willie@springfield.k12.us', 'groundskeeper-1'), undefined, 'the old password stops working');
      const login = await verifyStaffLogin(db, 'willie@springfield.k12.us', reset.password);
      assert.deepEqual([login?.member.mustChangePassword, login?.oneTimeExpired], [true, false]);
      assert.deepEqual(await actions('willie@springfield.k12.us'), ['staff.password-reset']);

      await refused(resetStaffPassword(db, { districtId: skinner.districtId, staffId: skinner.id, byStaffId: skinner.id }, BY), /use "Change my password"/);
      const other = await createStaff(db, { slug: 'shelbyville', email: 'lunchlady@shelbyville.k12.us', password: 'sloppy-joe-1', role: 'admin' }, BY);
      await refused(resetStaffPassword(db, { districtId: skinner.districtId, staffId: other.id, byStaffId: skinner.id }, BY), /no longer exists/);
      assert.ok(await verifyStaffLogin(db, 'lunchlady@shelbyville.k12.us', 'sloppy-joe-1'), 'another district\'s account is untouched');
    });

    test('by email (the CLI): unknown people and districts get sentences that say what to do', async () => {
      const reset = await resetStaffPasswordByEmail(db, { slug: 'springfield', email: ' Willie@Springfield.k12.us ' }, { actor: 'cli', address: null });
      assert.ok(await verifyStaffLogin(db, 'willie@springfield.k12.us', reset.password));
      await refused(resetStaffPasswordByEmail(db, { slug: 'springfield', email: 'nobody@springfield.k12.us' }, BY), /Nobody signs in to springfield as nobody@springfield\.k12\.us/);
      await refused(resetStaffPasswordByEmail(db, { slug: 'springfield', email: 'lunchlady@shelbyville.k12.us' }, BY), /Nobody signs in to springfield/);
      await refused(resetStaffPasswordByEmail(db, { slug: 'ogdenville', email: 'x@ogdenville.k12.us' }, BY), /no district called "ogdenville"/);
    });

    test('a sealed password opens once, only for the admin who made it, and is never stored readable', async () => {
      const revealed = { email: 'willie@springfield.k12.us', password: 'abcde-fghjk-mnpqr-stuv', passwordExpiresAt: new Date(Date.now() + 7 * DAY).toISOString() };
      const token = await sealReveal(db, skinner.id, revealed);
      const rows = await db.kysely.selectFrom('password_reveals').select(['sealed', 'id_hash']).execute();
      assert.ok(rows.every((r) => !r.sealed.includes('abcde') && !Buffer.from(r.sealed, 'base64').toString('latin1').includes('abcde') && r.id_hash !== token));
      assert.equal(await openReveal(db, skinner.id + 1000, token), undefined, 'someone else cannot open it');
      assert.deepEqual(await openReveal(db, skinner.id, token), revealed);
      assert.equal(await openReveal(db, skinner.id, token), undefined, 'the second look finds nothing');
      assert.equal(await openReveal(db, skinner.id, 'made-up'), undefined);
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`migration 0110 on accounts made before it (${dialect})`, () => {
    let db: Db;
    let dir: string;
    let url: string | undefined;

    before(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'staff-0110-'));
      url = await createDatabase(dialect);
      db = await openDb({ dataDir: dir, databaseUrl: url });
    });
    after(async () => {
      await db?.close();
      await dropDatabase(url);
      await fs.rm(dir, { recursive: true, force: true });
    });

    test('invited accounts must choose a password at their next sign-in, without an expiry; created ones are left alone', async () => {
      await createDistrict(db, { slug: 'springfield', name: 'Springfield' });
      const { password } = await inviteStaff(db, { slug: 'springfield', email: 'edna@springfield.k12.us', role: 'technician' }, BY);
      await createStaff(db, { slug: 'springfield', email: 'skinner@springfield.k12.us', password: 'superintendent-1', role: 'admin' }, BY);
      // Back to the database as it was before 0110 (the invite's audit entry stays), then forward again.
      await db.kysely.schema.dropTable('password_reveals').execute();
      await db.kysely.schema.alterTable('staff').dropColumn('must_change_password').execute();
      await db.kysely.schema.alterTable('staff').dropColumn('one_time_expires_at').execute();
      await sql`delete from kysely_migration where name = '0110_staff_one_time_passwords'`.execute(db.kysely);
      await migrateToLatest(db);

      const edna = await verifyStaffLogin(db, 'edna@springfield.k12.us', password);
      assert.deepEqual([edna?.member.mustChangePassword, edna?.oneTimeExpired], [true, false]);
      const row = await db.kysely.selectFrom('staff').select('one_time_expires_at').where('email', '=', 'edna@springfield.k12.us').executeTakeFirstOrThrow();
      assert.equal(row.one_time_expires_at, null, 'no expiry: an upgrade locks nobody out');
      const skinner = await verifyStaffLogin(db, 'skinner@springfield.k12.us', 'superintendent-1');
      assert.equal(skinner?.member.mustChangePassword, false);
    });
  });
}
