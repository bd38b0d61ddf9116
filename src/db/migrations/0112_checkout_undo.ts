import type { Kysely } from 'kysely';

/**
 * A check-out undone at the desk (a mistaken scan, within a minute) is
 * marked, not deleted: the device's history then says it went out and was
 * undone, rather than a row silently vanishing from under an audit entry
 * that names it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('checkouts').addColumn('undone_at', 'text').execute();
  await db.schema.alterTable('checkouts').addColumn('undone_by', 'text').execute();
}
