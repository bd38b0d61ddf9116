import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sweepUnreferenced } from '../../src/retention/sweep.js';
import { DIALECTS } from '../helpers/databases.js';
import { gate, later, openLab, sha, STORES, type Lab } from './lab.js';

/**
 * The sweep of unreferenced bytes, on both databases and both stores. A
 * client's temporary file (`*.filepart`) makes no intake event, so once it is
 * removed nothing refers to its bytes: the simplest unreferenced blob there is.
 */

for (const dialect of DIALECTS) {
  for (const kind of STORES) {
    describe(`the blob sweep (${dialect}, ${kind} store)`, () => {
      let lab: Lab;
      let actor: Awaited<ReturnType<Lab['district']>>['actor'];

      before(async () => {
        lab = await openLab(dialect, kind);
        actor = (await lab.district('sweep')).actor;
      });
      after(() => lab?.dispose());

      async function orphan(): Promise<Buffer> {
        const bytes = randomBytes(4096);
        await lab.upload(actor, 'idphotos', `${sha(bytes).slice(0, 8)}.jpg.filepart`, bytes);
        await lab.dropbox.remove(actor, 'idphotos', `${sha(bytes).slice(0, 8)}.jpg.filepart`);
        return bytes;
      }

      test('deletes bytes nothing refers to once they are older than the grace period, and nothing else', async () => {
        const gone = await orphan();
        const kept = randomBytes(4096);
        await lab.upload(actor, 'idphotos', '100101.jpg', kept);

        const early = await sweepUnreferenced(lab.db, lab.blobs, { now: new Date() });
        assert.equal(early.deleted, 0, 'young bytes are spared');
        assert.ok(await lab.stored(sha(gone)));

        const r = await sweepUnreferenced(lab.db, lab.blobs, { now: later() });
        assert.equal(r.deleted, 1);
        assert.equal(r.bytesDeleted, gone.length);
        assert.equal(await lab.stored(sha(gone)), false, 'the file is missing / the object answers 404');
        assert.ok(await lab.stored(sha(kept)));
        assert.deepEqual(await lab.blobs.readAll(sha(kept)), kept);
      });

      test('an upload of identical bytes that commits while the sweep is between its check and its delete survives', async () => {
        const bytes = await orphan();
        const key = sha(bytes);
        const sweepAtDelete = gate();
        const letSweepDelete = gate();
        const uploadAtPin = gate();
        lab.pinHooks.before = async (k) => {
          if (k === key) uploadAtPin.open();
        };
        // The upload opens and writes first: opening reads the district's quota, which on SQLite's one
        // connection would wait behind the sweep's transaction paused below. Only its commit comes later.
        const pending = await lab.dropbox.beginUpload(actor, 'idphotos', '100102.jpg');
        await pending.write(bytes, 0);
        const sweep = sweepUnreferenced(lab.db, lab.blobs, {
          now: later(),
          hooks: {
            beforeDelete: async (k) => {
              if (k !== key) return;
              sweepAtDelete.open();
              await letSweepDelete.promise;
            },
          },
        });
        // The sweep has decided: unreferenced, unpinned. Now the same bytes arrive under a real name.
        await sweepAtDelete.promise;
        const upload = pending.commit();
        // The upload's bytes are written and hashed; its store is asking for the pin.
        await uploadAtPin.promise;
        letSweepDelete.open();
        const [report] = await Promise.all([sweep, upload]);
        lab.pinHooks.before = undefined;

        assert.equal(report.deleted, 1, 'the sweep deleted the old copy');
        assert.ok(await lab.stored(key), 'the upload wrote the bytes again after the delete');
        const file = await lab.dropbox.find(actor.districtId, 'idphotos', '100102.jpg');
        assert.equal(file?.blobKey, key);
        assert.deepEqual(await lab.blobs.readAll(key), bytes);
        // And a sweep after that leaves them: the file refers to them.
        assert.equal((await sweepUnreferenced(lab.db, lab.blobs, { now: later() })).deleted, 0);
        assert.ok(await lab.stored(key));
      });

      test('an upload that pinned its bytes before the sweep looked keeps them, and releases the pin when it commits', async () => {
        const bytes = await orphan();
        const key = sha(bytes);
        const pinned = gate();
        const letCommit = gate();
        lab.pinHooks.after = async (k) => {
          if (k !== key) return;
          pinned.open();
          await letCommit.promise;
        };
        const upload = lab.upload(actor, 'idphotos', '100103.jpg', bytes);
        await pinned.promise;
        // Pinned, not yet written again, not yet referred to by any row.
        const r = await sweepUnreferenced(lab.db, lab.blobs, { now: later() });
        assert.equal(r.deleted, 0);
        assert.equal(r.spared, 1);
        assert.ok(await lab.stored(key));
        letCommit.open();
        await upload;
        lab.pinHooks.after = undefined;
        const pins = await lab.db.kysely.selectFrom('blob_guards').selectAll().where('blob_key', '=', key).execute();
        assert.deepEqual(pins, [], 'the commit that refers to the key released its pin');
        assert.deepEqual(await lab.blobs.readAll(key), bytes);
      });
    });
  }
}
