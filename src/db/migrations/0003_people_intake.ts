import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';
import { idColumn } from './columns.js';

/** People (keyed by Local ID within a district), and what the intake queue needs on each event. */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('people')
    .addColumn('id', ...idColumn(dialect))
    .addColumn('district_id', 'integer', (c) => c.notNull().references('districts.id').onDelete('cascade'))
    .addColumn('local_id', 'text', (c) => c.notNull())
    // Letter case folded and leading zeros dropped: how photo names are matched when the exact ID is not found.
    .addColumn('local_id_key', 'text', (c) => c.notNull())
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('school', 'text')
    .addColumn('grade', 'text')
    .addColumn('email', 'text')
    .addColumn('state_id', 'text')
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('people_local_id_unique', ['district_id', 'local_id'])
    .execute();
  await db.schema.createIndex('people_local_id_key').on('people').columns(['district_id', 'local_id_key']).execute();
  await db.schema.createIndex('people_name').on('people').columns(['district_id', 'last_name', 'first_name']).execute();

  // The queue: an event is claimable while "received" and not leased (or its lease ran out: the claimer died).
  await db.schema.alterTable('intake_events').addColumn('claimed_until', 'text').execute();
  await db.schema.alterTable('intake_events').addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('intake_events').addColumn('processed_at', 'text').execute();
  await db.schema.createIndex('intake_events_queue').on('intake_events').columns(['outcome', 'folder', 'id']).execute();
}
