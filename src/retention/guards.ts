import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Db } from '../db/db.js';
import type { Database } from '../db/schema.js';

/**
 * Pins: why the sweep of unreferenced bytes can run while uploads commit.
 *
 * Keys are content-addressed, so an upload may store bytes that are already
 * there under a key nothing refers to, a moment before the sweep deletes that
 * key, and then commit a row pointing at nothing. So a store pins the key
 * (this row, committed) before it writes the bytes, and the transaction that
 * refers to the key releases the pin. The sweep locks the key's row before
 * it looks (guardedDelete): a pin committed first makes it spare the key; a
 * pin asked for while it holds the row waits until the delete is done, and
 * the store then writes the bytes again.
 */

/**
 * A pin nobody released (its upload failed after storing, its node died)
 * stops protecting after this long: longer than any commit takes after its
 * store, a 20,000-photo package's included.
 */
export const PIN_LIFETIME_MS = 24 * 3600 * 1000;

/**
 * Takes a pin on each key, all in one transaction, and returns their tokens
 * in the same order (a key named twice has one pin). A redoable commit (no
 * flush of its own): the commit that refers to the keys is durable and
 * flushes it along, and without that commit the pins protect nothing worth
 * keeping.
 */
export async function pinBlobs(db: Db, keys: readonly string[], now = new Date()): Promise<string[]> {
  const tokens = new Map(keys.map((key) => [key, randomUUID()]));
  if (tokens.size === 0) return [];
  const pinnedAt = now.toISOString();
  await db.redoableTransaction((trx) =>
    trx
      .insertInto('blob_guards')
      .values([...tokens].map(([key, token]) => ({ blob_key: key, token, pinned_at: pinnedAt })))
      .onConflict((oc) => oc.column('blob_key').doUpdateSet((eb) => ({ token: eb.ref('excluded.token'), pinned_at: eb.ref('excluded.pinned_at') })))
      .execute(),
  );
  return keys.map((key) => tokens.get(key)!);
}

/** A stored blob as a caller holds it: its key, and the pin its store took, if any. */
export interface PinnedKey {
  key: string;
  pin?: string | undefined;
}

/**
 * Releases pins in the transaction that now refers to their keys. Only the
 * pin's own token: another upload of the same bytes that pinned since keeps
 * its pin.
 */
export async function releasePins(trx: Kysely<Database>, blobs: ReadonlyArray<PinnedKey | undefined>): Promise<void> {
  for (const b of blobs) {
    if (b?.pin) await trx.deleteFrom('blob_guards').where('blob_key', '=', b.key).where('token', '=', b.pin).execute();
  }
}

/** Whether a guard row holds a key: a pin younger than its lifetime. */
export function isPinned(row: { token: string; pinned_at: string } | undefined, now: Date): boolean {
  return row !== undefined && row.token !== '' && Date.parse(row.pinned_at) > now.getTime() - PIN_LIFETIME_MS;
}

/** Forgets pins that no longer protect anything (their uploads never released them). */
export async function dropExpiredPins(db: Db, now: Date): Promise<number> {
  const r = await db.kysely
    .deleteFrom('blob_guards')
    .where('pinned_at', '<', new Date(now.getTime() - PIN_LIFETIME_MS).toISOString())
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
