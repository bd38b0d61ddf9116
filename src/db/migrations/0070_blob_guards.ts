import type { Kysely } from 'kysely';

/**
 * Pins on stored keys (src/retention/guards.ts). A store pins a key before it
 * writes the bytes behind it; the transaction that then refers to the key
 * releases the pin. The sweep of unreferenced bytes locks a key's row before
 * it deletes, so an upload of the same bytes can never slip between the
 * sweep's check and its delete.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('blob_guards')
    .addColumn('blob_key', 'text', (c) => c.primaryKey())
    // Empty: a row the sweep holds while it deletes, not a pin.
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('pinned_at', 'text', (c) => c.notNull())
    .execute();
  for (const [table, column] of BLOB_REFERENCE_INDEXES) {
    await db.schema.createIndex(`${table}_${column}_ref`).on(table).column(column).execute();
  }
}

/**
 * Every column that refers to stored bytes gets an index, so asking whether a
 * key is still referenced is a few index lookups, not a scan of the intake's
 * history.
 */
const BLOB_REFERENCE_INDEXES: ReadonlyArray<readonly [table: string, column: string]> = [
  ['dropbox_files', 'blob_key'],
  ['intake_events', 'blob_key'],
  ['photo_versions', 'original_key'],
  ['photo_versions', 'profile_key'],
  ['photo_versions', 'thumb_key'],
  ['waiting_photos', 'original_key'],
  ['waiting_photos', 'profile_key'],
  ['waiting_photos', 'thumb_key'],
];
