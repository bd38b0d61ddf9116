import type { Kysely } from 'kysely';

/** A district's daily roster import (like the nightly runs districts know from their SIS). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('roster_schedules')
    .addColumn('district_id', 'integer', (c) => c.primaryKey().references('districts.id').onDelete('cascade'))
    // HH:MM, UTC.
    .addColumn('daily_at', 'text', (c) => c.notNull())
    // YYYY-MM-DD (UTC) of the last run; claimed with a conditional update so one node runs it.
    .addColumn('last_run_on', 'text')
    .execute();
}
