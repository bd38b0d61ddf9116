import { sql } from 'kysely';
import type { Db } from '../db/db.js';
import { afterRow, keysetPages } from '../db/keyset.js';
import { toCheckout, type Checkout } from './checkouts.js';

/** One check-out by its id, in this district only (a receipt's page). */
export async function findCheckout(db: Db, districtId: number, id: number): Promise<Checkout | undefined> {
  if (!Number.isSafeInteger(id)) return undefined;
  const row = await db.kysely.selectFrom('checkouts').selectAll().where('district_id', '=', districtId).where('id', '=', id).executeTakeFirst();
  return row && toCheckout(row);
}

/**
 * Every check-out of a device, newest first, a page at a time: a cart
 * laptop lent out daily for years has more than the profile's 100, and its
 * exported history must hold them all.
 */
export async function* allCheckoutsOfDevice(db: Db, districtId: number, deviceId: number, pageSize = 500): AsyncGenerator<Checkout[]> {
  const base = db.kysely.selectFrom('checkouts').selectAll().where('district_id', '=', districtId).where('device_id', '=', deviceId);
  const columns = [sql.ref('checked_out_at'), sql.ref('id')];
  const read = (after: readonly unknown[] | undefined, limit: number) =>
    (after ? base.where(afterRow(columns, after, 'desc')) : base).orderBy('checked_out_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  for await (const rows of keysetPages(read, (r) => [r.checked_out_at, r.id], pageSize)) yield rows.map(toCheckout);
}
