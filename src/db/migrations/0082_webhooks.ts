import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';
import { idColumn } from './columns.js';

/**
 * A district's webhook (where finished deliveries are pushed, and the secret
 * that signs them) and the outbox of pushes: one row per finished delivery,
 * retried until the district's server answers 2xx or a day has passed.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('webhooks')
    .addColumn('district_id', 'integer', (c) => c.primaryKey().references('districts.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('webhook_posts')
    .addColumn('id', ...idColumn(dialect))
    .addColumn('district_id', 'integer', (c) => c.notNull().references('districts.id').onDelete('cascade'))
    // One push per delivery, whichever node notices it finished first.
    .addColumn('delivery_id', 'integer', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('last_result', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  await db.schema.createIndex('webhook_posts_due').on('webhook_posts').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('webhook_posts_district').on('webhook_posts').columns(['district_id', 'id']).execute();
}
