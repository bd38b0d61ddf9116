import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';
import { idColumn } from './columns.js';

/**
 * People's photos: every version kept (up to a limit), which one each person
 * shows now, and photos waiting for a person the roster has not brought yet.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('photo_versions')
    .addColumn('id', ...idColumn(dialect))
    .addColumn('district_id', 'integer', (c) => c.notNull().references('districts.id').onDelete('cascade'))
    .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id').onDelete('cascade'))
    // Random and unguessable: what photo URLs carry instead of anything about the person.
    .addColumn('url_key', 'text', (c) => c.notNull().unique())
    .addColumn('original_key', 'text', (c) => c.notNull())
    .addColumn('original_sha256', 'text', (c) => c.notNull())
    .addColumn('original_size', 'integer', (c) => c.notNull())
    .addColumn('profile_key', 'text', (c) => c.notNull())
    .addColumn('thumb_key', 'text', (c) => c.notNull())
    .addColumn('file', 'text', (c) => c.notNull())
    .addColumn('event_id', 'integer')
    .addColumn('match_rule', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    // The same bytes again for the same person is that version, not a new one.
    .addUniqueConstraint('photo_versions_person_sha', ['person_id', 'original_sha256'])
    .execute();
  await db.schema.createIndex('photo_versions_person').on('photo_versions').columns(['district_id', 'person_id', 'id']).execute();

  await db.schema
    .createTable('person_photos')
    .addColumn('person_id', 'integer', (c) => c.primaryKey().references('people.id').onDelete('cascade'))
    .addColumn('district_id', 'integer', (c) => c.notNull().references('districts.id').onDelete('cascade'))
    .addColumn('version_id', 'integer', (c) => c.notNull().references('photo_versions.id').onDelete('cascade'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('person_photos_district').on('person_photos').columns(['district_id']).execute();

  await db.schema
    .createTable('waiting_photos')
    .addColumn('id', ...idColumn(dialect))
    .addColumn('district_id', 'integer', (c) => c.notNull().references('districts.id').onDelete('cascade'))
    .addColumn('file', 'text', (c) => c.notNull())
    .addColumn('local_id', 'text', (c) => c.notNull())
    .addColumn('local_id_key', 'text', (c) => c.notNull())
    .addColumn('original_key', 'text', (c) => c.notNull())
    .addColumn('original_sha256', 'text', (c) => c.notNull())
    .addColumn('original_size', 'integer', (c) => c.notNull())
    .addColumn('profile_key', 'text', (c) => c.notNull())
    .addColumn('thumb_key', 'text', (c) => c.notNull())
    .addColumn('event_id', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('waiting_photos_file', ['district_id', 'file'])
    .execute();
  await db.schema.createIndex('waiting_photos_key').on('waiting_photos').columns(['district_id', 'local_id_key']).execute();
}
