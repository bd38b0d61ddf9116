import type { Kysely } from 'kysely';

/**
 * Photo quality checks: each version and waiting photo keeps what the checks
 * found and its fingerprint (a 64-bit dHash and its mean colour). The hash's
 * four 16-bit quarters are indexed so a new photo finds the district's close
 * ones by a few index seeks, never by reading every photo.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['photo_versions', 'waiting_photos']) {
    await db.schema.alterTable(table).addColumn('warnings', 'text', (c) => c.notNull().defaultTo('')).execute();
    await db.schema.alterTable(table).addColumn('dhash', 'text').execute();
    await db.schema.alterTable(table).addColumn('colour', 'integer').execute();
  }
  for (const band of [0, 1, 2, 3]) {
    await db.schema.alterTable('photo_versions').addColumn(`dhash_${band}`, 'integer').execute();
    await db.schema.createIndex(`photo_versions_dhash_${band}`).on('photo_versions').columns(['district_id', `dhash_${band}`]).execute();
  }
}
