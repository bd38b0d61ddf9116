import type { BlobStore } from '../blobs/blobStore.js';
import type { Db } from '../db/db.js';
import { dropExpiredPins, isPinned } from './guards.js';
import { referencedKeys } from './references.js';

/**
 * The sweep of unreferenced bytes: what no row points at any more is deleted
 * from the store (a file removed, an object gone), on any BlobStore.
 */

/**
 * Bytes stored more recently than this are never swept, whatever the rows
 * say. The pins are what makes the sweep safe; this only keeps it away from
 * uploads in their first moments, which cost nothing to spare.
 */
export const SWEEP_GRACE_MS = 3600 * 1000;

/** Keys checked against the rows at once. */
const BATCH = 500;

export interface SweepHooks {
  /**
   * Runs after a key was found unreferenced and unpinned, with the key's row
   * locked, just before its bytes are deleted: tests pause here to commit an
   * upload of the same bytes in between.
   */
  beforeDelete?(key: string): Promise<void>;
}

export type GuardedDelete = 'deleted' | 'referenced' | 'pinned';

/**
 * Deletes `key`'s bytes if no row refers to them and no upload has pinned
 * them, deciding and deleting while holding the key's guard row: an upload
 * pinning the same key waits until the delete is done (and then writes the
 * bytes again), so it can never find them there, skip writing, and commit a
 * reference to bytes about to vanish.
 */
export async function guardedDelete(db: Db, blobs: BlobStore, key: string, now: Date, hooks: SweepHooks = {}): Promise<GuardedDelete> {
  return db.kysely.transaction().execute(async (trx) => {
    // Insert-or-touch locks the row (PostgreSQL: row lock; SQLite: the write lock) and returns the pin it holds.
    const guard = await trx
      .insertInto('blob_guards')
      .values({ blob_key: key, token: '', pinned_at: '' })
      .onConflict((oc) => oc.column('blob_key').doUpdateSet({ blob_key: key }))
      .returning(['token', 'pinned_at'])
      .executeTakeFirstOrThrow();
    if (isPinned(guard, now)) return 'pinned';
    // Whether pinned_at was ours or a pin that expired, it protects nothing now.
    await trx.deleteFrom('blob_guards').where('blob_key', '=', key).execute();
    if ((await referencedKeys(trx, [key])).has(key)) return 'referenced';
    await hooks.beforeDelete?.(key);
    await blobs.delete(key);
    return 'deleted';
  });
}

export interface SweepReport {
  /** Stored blobs looked at. */
  examined: number;
  deleted: number;
  bytesDeleted: number;
  /** Unreferenced but pinned: an upload of the same bytes was committing. */
  spared: number;
}

/** Deletes every stored blob older than the grace period that no row refers to. */
export async function sweepUnreferenced(db: Db, blobs: BlobStore, opts: { now: Date; hooks?: SweepHooks; graceMs?: number }): Promise<SweepReport> {
  const report: SweepReport = { examined: 0, deleted: 0, bytesDeleted: 0, spared: 0 };
  const youngest = opts.now.getTime() - (opts.graceMs ?? SWEEP_GRACE_MS);
  let batch: Array<{ key: string; size: number }> = [];
  const flush = async () => {
    const referenced = await referencedKeys(db.kysely, batch.map((b) => b.key));
    for (const b of batch) {
      if (referenced.has(b.key)) continue;
      const r = await guardedDelete(db, blobs, b.key, opts.now, opts.hooks);
      if (r === 'deleted') {
        report.deleted++;
        report.bytesDeleted += b.size;
      } else if (r === 'pinned') report.spared++;
    }
    batch = [];
  };
  for await (const info of blobs.list()) {
    report.examined++;
    if (info.modifiedAt.getTime() > youngest) continue;
    batch.push({ key: info.key, size: info.size });
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  await dropExpiredPins(db, opts.now);
  return report;
}
