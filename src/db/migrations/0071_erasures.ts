import type { Kysely } from 'kysely';

/**
 * Local IDs whose photos and files were erased on request
 * (src/retention/erase.ts): the User Profile says so, also when a later
 * roster brings the person back. Keyed like people (the loose Local ID), so
 * `004410` erased is `4410` returning.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('erasures')
    .addColumn('district_id', 'integer', (c) => c.notNull())
    .addColumn('local_id_key', 'text', (c) => c.notNull())
    .addColumn('local_id', 'text', (c) => c.notNull())
    .addColumn('erased_at', 'text', (c) => c.notNull())
    .addColumn('erased_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('erasures_pk', ['district_id', 'local_id_key'])
    .execute();
}
