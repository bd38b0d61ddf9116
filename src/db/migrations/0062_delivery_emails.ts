import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';
import { idColumn } from './columns.js';

/**
 * Who in a district hears of finished deliveries by e-mail, and the outbox of
 * those e-mails: one row per finished delivery (unique, so several nodes
 * noticing it send one), retried until the SMTP server takes it or a day has
 * passed, as the webhook's pushes are.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('district_contacts')
    .addColumn('district_id', 'integer', (c) => c.notNull().references('districts.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('district_contacts_pk', ['district_id', 'email'])
    .execute();
  await db.schema
    .createTable('delivery_emails')
    .addColumn('id', ...idColumn(dialect))
    .addColumn('district_id', 'integer', (c) => c.notNull().references('districts.id').onDelete('cascade'))
    .addColumn('delivery_id', 'integer', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('last_result', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  await db.schema.createIndex('delivery_emails_due').on('delivery_emails').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('delivery_emails_district').on('delivery_emails').columns(['district_id', 'id']).execute();
}
