import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { inProcessDecoder } from '../../src/photos/decoder.js';
import { applyDelivery, planDelivery, type DeliveryDeps } from '../../src/photos/deliver.js';
import { setPhoto } from '../../src/photos/versions.js';
import { releasePins } from '../../src/retention/guards.js';
import { runRetention } from '../../src/retention/run.js';
import { DIALECTS } from '../helpers/databases.js';
import { later, openLab, sha, type Lab } from './lab.js';

/**
 * The one path that points at stored sizes without storing them: the same
 * photo delivered again for a person who has it as an earlier version reuses
 * that version's sizes. A retention run that removes the version between the
 * delivery's plan and its commit must not take the sizes the commit is about
 * to point at: the plan pins them, and the run is forced in between here.
 */
for (const dialect of DIALECTS) {
  describe(`a re-delivered earlier photo during a retention run (${dialect})`, () => {
    let lab: Lab;
    before(async () => {
      lab = await openLab(dialect, 'file');
    });
    after(() => lab?.dispose());

    test('keeps the sizes it reuses although the run removed the version they came from', async () => {
      const { id: districtId } = await lab.district('reuse');
      const now = new Date().toISOString();
      const personId = (
        await lab.db.kysely
          .insertInto('people')
          .values({ district_id: districtId, local_id: '100101', local_id_key: '100101', first_name: 'Ann', last_name: 'Lee', role: 'student', school: null, grade: null, email: null, state_id: null, active: 1, created_at: now, updated_at: now })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
      // Two versions, the first superseded; their blobs are stored for real (sizes stand in as random bytes).
      const stored = async () => {
        const original = await lab.blobs.putBuffer(randomBytes(2048));
        const profile = await lab.blobs.putBuffer(randomBytes(1024));
        const thumb = await lab.blobs.putBuffer(randomBytes(512));
        return { original, profileKey: profile.key, thumbKey: thumb.key, quality: null, pins: [profile, thumb] };
      };
      const first = await stored();
      const second = await stored();
      for (const photo of [first, second]) {
        await lab.db.kysely.transaction().execute(async (trx) => {
          await setPhoto(trx, { districtId, personId, photo, file: '100101.jpg', eventId: null, matchRule: 'exact', keepVersions: 10 });
          await releasePins(trx, [...photo.pins, photo.original]);
        });
      }
      // The first version, from before the previous school year: the superseded rule's today.
      await lab.db.kysely.updateTable('photo_versions').set({ created_at: '2020-01-01T00:00:00.000Z' }).where('profile_key', '=', first.profileKey).execute();

      const deps: DeliveryDeps = { db: lab.db, blobs: lab.blobs, keepVersions: 10, decoder: inProcessDecoder(1), decode: (t) => t() };
      const delivery = { districtId, file: '100101.jpg', localId: '100101', eventId: null, original: first.original };
      const plan = await planDelivery(deps, { ...delivery, read: () => lab.blobs.readAll(first.original.key) });
      assert.equal(plan.kind, 'linked');
      assert.equal(plan.kind === 'linked' && plan.photo.profileKey, first.profileKey, 'the earlier version is reused, not decoded again');

      // Between the plan and its commit: a retention run removes the earlier version (delivered in 2020).
      await runRetention(lab.db, lab.blobs, { now: new Date() });
      assert.equal((await lab.db.kysely.selectFrom('photo_versions').select('id').where('profile_key', '=', first.profileKey).execute()).length, 0, 'the version went');
      assert.ok(await lab.stored(first.profileKey), 'its sizes are pinned by the plan');
      assert.ok(await lab.stored(first.thumbKey));

      await lab.db.kysely.transaction().execute((trx) => applyDelivery(trx, deps, delivery, plan));
      const shown = await lab.db.kysely
        .selectFrom('person_photos as c')
        .innerJoin('photo_versions as v', 'v.id', 'c.version_id')
        .select(['v.profile_key', 'v.thumb_key'])
        .where('c.person_id', '=', personId)
        .executeTakeFirstOrThrow();
      assert.equal(shown.profile_key, first.profileKey);
      assert.deepEqual(await lab.blobs.readAll(shown.thumb_key).then(sha), sha(await lab.blobs.readAll(first.thumbKey)));
      assert.equal((await lab.db.kysely.selectFrom('blob_guards').selectAll().where('blob_key', 'in', [first.profileKey, first.thumbKey]).execute()).length, 0, 'the commit released the pins');
      // And the next run leaves them: the person shows them.
      await runRetention(lab.db, lab.blobs, { now: later() });
      assert.ok(await lab.stored(first.profileKey));
    });
  });
}
