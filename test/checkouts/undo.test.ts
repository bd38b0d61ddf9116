import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listAudit } from '../../src/audit/audit.js';
import { checkIn, checkOut, checkoutsOfDevice, deviceHolder } from '../../src/checkouts/checkouts.js';
import { findDeskAction, rowShows, undoDeskAction, undoRefusal } from '../../src/checkouts/undo.js';
import { openDb, type Db } from '../../src/db/db.js';
import { createDevice, updateDevice } from '../../src/devices/devices.js';
import { openIncident } from '../../src/incidents/incidents.js';
import { looseLocalIdKey } from '../../src/localId/localId.js';
import { isLanyardError } from '../../src/shared/errors.js';
import { createDatabase, dropDatabase, DIALECTS } from '../helpers/databases.js';

const EDNA = { actor: 'edna@springfield.k12.us', address: '127.0.0.1' };
const by = EDNA.actor;
/** The clock a minute and a second after `iso`. */
const aMinuteAfter = (iso: string) => new Date(Date.parse(iso) + 61_000).toISOString();

/** The refusal's sentence, or a failure if the promise did not refuse. */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(isLanyardError(err), String(err));
    return err.message;
  }
  assert.fail('expected a refusal');
}

for (const dialect of DIALECTS) {
  describe(`undoing the desk's last action (${dialect})`, () => {
    let dir: string;
    let url: string | undefined;
    let db: Db;
    let districtId: number;
    let otherDistrictId: number;
    let tagNo = 0;

    const district = async (slug: string) =>
      (
        await db.kysely
          .insertInto('districts')
          .values({ slug, name: slug, sftp_password_hash: 'x', sftp_auth: 'password', created_at: new Date().toISOString() })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    /** A fresh device for each test, so none sees another's history. */
    const newDevice = async () => (await createDevice(db, districtId, { assetTag: `LT-${String(++tagNo).padStart(4, '0')}`, model: 'Chromebook' })).assetTag;
    const holderOf = async (assetTag: string) => {
      const [c] = await checkoutsOfDevice(db, districtId, (await findDeviceId(assetTag))!, 1);
      return c && (await deviceHolder(db, districtId, c.deviceId));
    };
    const findDeviceId = async (assetTag: string) =>
      (await db.kysely.selectFrom('devices').select('id').where('district_id', '=', districtId).where('asset_tag', '=', assetTag).executeTakeFirst())?.id;
    /** As if the check-out (and the device's last edit) were `seconds` ago: what happens next is then clearly later. */
    const backdate = async (id: number, seconds: number) => {
      const row = await db.kysely.selectFrom('checkouts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      const earlier = (iso: string | null) => iso && new Date(Date.parse(iso) - seconds * 1000).toISOString();
      await db.kysely
        .updateTable('checkouts')
        .set({ checked_out_at: earlier(row.checked_out_at)!, checked_in_at: earlier(row.checked_in_at) })
        .where('id', '=', id)
        .execute();
      const device = await db.kysely.selectFrom('devices').selectAll().where('id', '=', row.device_id).executeTakeFirstOrThrow();
      await db.kysely.updateTable('devices').set({ updated_at: earlier(device.updated_at)! }).where('id', '=', device.id).execute();
    };

    before(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'undo-'));
      url = await createDatabase(dialect);
      db = await openDb({ dataDir: dir, databaseUrl: url });
      districtId = await district('springfield');
      otherDistrictId = await district('shelbyville');
      const now = new Date().toISOString();
      await db.kysely
        .insertInto('people')
        .values(
          [
            ['004410', 'Lisa'],
            ['004411', 'Bart'],
          ].map(([localId, firstName]) => ({
            district_id: districtId,
            local_id: localId!,
            local_id_key: looseLocalIdKey(localId!),
            first_name: firstName!,
            last_name: 'Simpson',
            role: 'student' as const,
            school: null,
            grade: null,
            email: null,
            state_id: null,
            active: 1,
            created_at: now,
            updated_at: now,
          })),
        )
        .execute();
    });
    after(async () => {
      await db?.close();
      await dropDatabase(url);
      await fs.rm(dir, { recursive: true, force: true });
    });

    test('a check-out undone within its minute frees the device, stays in the history marked undone, and is audited', async () => {
      const tag = await newDevice();
      const { checkout } = await checkOut(db, districtId, { assetTag: tag, localId: '004410', by });
      const undone = await undoDeskAction(db, districtId, { kind: 'checkout', id: checkout.id, by: EDNA });
      assert.ok(undone.checkout.undone, 'marked undone');
      const readBack = await findDeskAction(db, districtId, 'checkout', checkout.id);
      assert.deepEqual([rowShows(readBack!, 'done'), rowShows(readBack!, 'undone')], [false, true], 'a banner read back later says undone, not done');
      assert.equal(await holderOf(tag), undefined, 'with nobody');
      const [history] = await checkoutsOfDevice(db, districtId, checkout.deviceId);
      assert.equal(history?.id, checkout.id);
      assert.equal(history?.undone?.by, EDNA.actor);
      const [entry] = await listAudit(db, districtId, 1);
      assert.equal(entry?.action, 'checkout.undone');
      assert.equal(entry?.actor, EDNA.actor);
      assert.deepEqual([entry?.detail.assetTag, entry?.detail.localId, entry?.detail.checkoutId], [tag, '004410', checkout.id]);
      // Free for the right person now.
      await checkOut(db, districtId, { assetTag: tag, localId: '004411', by });
      assert.equal((await holderOf(tag))?.person.firstName, 'Bart');
      assert.match(await refusal(undoDeskAction(db, districtId, { kind: 'checkout', id: checkout.id, by: EDNA })), /already undone/);
    });

    test('a check-in undone within its minute puts the device back with its holder, since the same time', async () => {
      const tag = await newDevice();
      const { checkout } = await checkOut(db, districtId, { assetTag: tag, localId: '004410', by });
      const back = await checkIn(db, districtId, { assetTag: tag, by });
      const asCheckin = await findDeskAction(db, districtId, 'checkin', back.checkout.id);
      assert.deepEqual([rowShows(asCheckin!, 'done'), rowShows(asCheckin!, 'undone')], [true, false]);
      await undoDeskAction(db, districtId, { kind: 'checkin', id: back.checkout.id, by: EDNA });
      const holder = await holderOf(tag);
      assert.equal(holder?.person.localId, '004410');
      assert.equal(holder?.checkout.checkedOutAt, checkout.checkedOutAt, 'the same check-out, as if never checked in');
      const [entry] = await listAudit(db, districtId, 1);
      assert.equal(entry?.action, 'checkin.undone');
      assert.equal(entry?.detail.checkedInAt, back.checkout.checkedIn?.at, 'the audit keeps when it had come back');
      assert.match(await refusal(undoDeskAction(db, districtId, { kind: 'checkin', id: back.checkout.id, by: EDNA })), /already undone: Lisa Simpson has it/);
    });

    test('after a minute Undo is refused with the reason, and nothing changes', async () => {
      const tag = await newDevice();
      const { checkout } = await checkOut(db, districtId, { assetTag: tag, localId: '004410', by });
      const late = aMinuteAfter(checkout.checkedOutAt);
      const why = await refusal(undoDeskAction(db, districtId, { kind: 'checkout', id: checkout.id, by: EDNA, now: late }));
      assert.equal(why, `The check-out of ${tag} to Lisa Simpson was more than a minute ago, so it can no longer be undone: check ${tag} in instead.`);
      assert.equal((await holderOf(tag))?.person.localId, '004410', 'still out');

      const back = await checkIn(db, districtId, { assetTag: tag, by });
      await backdate(back.checkout.id, 61);
      assert.match(await refusal(undoDeskAction(db, districtId, { kind: 'checkin', id: back.checkout.id, by: EDNA })), /more than a minute ago/);
      assert.equal(await holderOf(tag), undefined, 'still back');
    });

    test('after a later change to the device Undo is refused: checked in, checked out again, edited, or an incident', async () => {
      const tag = await newDevice();
      const first = await checkOut(db, districtId, { assetTag: tag, localId: '004410', by });
      const back = await checkIn(db, districtId, { assetTag: tag, by });
      assert.match(await refusal(undoDeskAction(db, districtId, { kind: 'checkout', id: first.checkout.id, by: EDNA })), new RegExp(`${tag} has been checked in since`));
      await checkOut(db, districtId, { assetTag: tag, localId: '004411', by });
      assert.match(await refusal(undoDeskAction(db, districtId, { kind: 'checkin', id: back.checkout.id, by: EDNA })), /checked out again since/);
      assert.equal((await holderOf(tag))?.person.firstName, 'Bart', 'Bart keeps it');

      const edited = await newDevice();
      const out = await checkOut(db, districtId, { assetTag: edited, localId: '004410', by });
      await backdate(out.checkout.id, 5);
      const before = await findDeskAction(db, districtId, 'checkout', out.checkout.id);
      assert.equal(await undoRefusal(db, districtId, before!), undefined, 'undoable until the edit');
      await updateDevice(db, districtId, edited, { model: 'Chromebook 3110' });
      assert.match(await refusal(undoDeskAction(db, districtId, { kind: 'checkout', id: out.checkout.id, by: EDNA })), /has changed since it was checked out/);

      const cracked = await newDevice();
      const out2 = await checkOut(db, districtId, { assetTag: cracked, localId: '004410', by });
      await openIncident(db, districtId, { assetTag: cracked, localId: '004410', type: 'damage', description: 'Dropped', by });
      const action = await findDeskAction(db, districtId, 'checkout', out2.checkout.id);
      assert.match((await undoRefusal(db, districtId, action!)) ?? '', /has changed since it was checked out \(its page or an incident\)/);
      assert.equal((await holderOf(cracked))?.person.localId, '004410');
    });

    test("another district's check-out is unknown here, and cannot be undone from there", async () => {
      const tag = await newDevice();
      const { checkout } = await checkOut(db, districtId, { assetTag: tag, localId: '004410', by });
      assert.equal(await findDeskAction(db, otherDistrictId, 'checkout', checkout.id), undefined);
      assert.match(await refusal(undoDeskAction(db, otherDistrictId, { kind: 'checkout', id: checkout.id, by: EDNA })), /not in this district: nothing was undone/);
      assert.equal((await holderOf(tag))?.person.localId, '004410');
    });
  });
}
