import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';
import { idColumn } from './columns.js';

/**
 * Deliveries: what one SFTP session, one browser upload or one photo package
 * brought, so a district reads one report per delivery instead of its events
 * one by one. Each event names its delivery; events made before this
 * migration (or by an admin assigning a photo) belong to none.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('deliveries')
    .addColumn('id', ...idColumn(dialect))
    .addColumn('district_id', 'integer', (c) => c.notNull().references('districts.id').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull())
    // The SFTP username, the staff member's email, or the zip's name for a package.
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('address', 'text')
    // A package's own delivery points at the delivery its zip came in.
    .addColumn('parent_id', 'integer')
    .addColumn('started_at', 'text', (c) => c.notNull())
    // Null while the session or upload is still open (or its node died before it ended).
    .addColumn('ended_at', 'text')
    .execute();
  await db.schema.createIndex('deliveries_district').on('deliveries').columns(['district_id', 'id']).execute();
  await db.schema.createIndex('deliveries_parent').on('deliveries').columns(['parent_id']).execute();

  await db.schema.alterTable('intake_events').addColumn('delivery_id', 'integer').execute();
  // The quality checks' codes for a photo the event linked or kept waiting (comma-separated; empty: none).
  await db.schema.alterTable('intake_events').addColumn('warnings', 'text', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.createIndex('intake_events_delivery').on('intake_events').columns(['delivery_id', 'outcome']).execute();
}
