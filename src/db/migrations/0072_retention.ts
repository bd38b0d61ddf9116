import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';
import { idColumn } from './columns.js';

/**
 * A district's retention policy (null: the documented default), what each
 * run of the retention sweep removed, and the lease that lets one node at a
 * time run it.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('retention_policies')
    .addColumn('district_id', 'integer', (c) => c.primaryKey())
    .addColumn('superseded_days', 'integer')
    .addColumn('originals_days', 'integer')
    .addColumn('unmatched_days', 'integer')
    .addColumn('deactivated_days', 'integer')
    .addColumn('uploads_days', 'integer')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('retention_reports')
    .addColumn('id', ...idColumn(dialect))
    .addColumn('run_at', 'text', (c) => c.notNull())
    // Null: the store-wide sweep of bytes nothing refers to, which belongs to no district.
    .addColumn('district_id', 'integer')
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('items', 'integer', (c) => c.notNull())
    .addColumn('files', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('retention_reports_district').on('retention_reports').columns(['district_id', 'run_at']).execute();
  await db.schema
    .createTable('retention_lease')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('until', 'text', (c) => c.notNull())
    .execute();
}
