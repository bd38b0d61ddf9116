import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.js';
import { idColumn } from './columns.js';

/** Who has which device (check-outs), and what went wrong with one (incidents and their timeline). */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('checkouts')
    .addColumn('id', ...idColumn(dialect))
    .addColumn('district_id', 'integer', (c) => c.notNull().references('districts.id').onDelete('cascade'))
    .addColumn('device_id', 'integer', (c) => c.notNull().references('devices.id').onDelete('cascade'))
    .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('checked_out_at', 'text', (c) => c.notNull())
    .addColumn('checked_out_by', 'text', (c) => c.notNull())
    .addColumn('checked_in_at', 'text')
    .addColumn('checked_in_by', 'text')
    .execute();
  // A device is out to one person at a time: two desks scanning the same laptop at once cannot both win.
  await sql`create unique index checkouts_one_open on checkouts (device_id) where checked_in_at is null`.execute(db);
  await db.schema.createIndex('checkouts_person').on('checkouts').columns(['district_id', 'person_id', 'checked_out_at']).execute();
  await db.schema.createIndex('checkouts_device').on('checkouts').columns(['device_id', 'checked_out_at']).execute();

  await db.schema
    .createTable('incidents')
    .addColumn('id', ...idColumn(dialect))
    .addColumn('district_id', 'integer', (c) => c.notNull().references('districts.id').onDelete('cascade'))
    .addColumn('device_id', 'integer', (c) => c.notNull().references('devices.id').onDelete('cascade'))
    .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('opened_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incidents_district').on('incidents').columns(['district_id', 'status', 'opened_at']).execute();
  await db.schema.createIndex('incidents_person').on('incidents').columns(['district_id', 'person_id']).execute();
  await db.schema.createIndex('incidents_device').on('incidents').columns(['device_id']).execute();

  await db.schema
    .createTable('incident_notes')
    .addColumn('id', ...idColumn(dialect))
    .addColumn('incident_id', 'integer', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    // Set when this entry changed the status: the timeline shows status changes beside notes.
    .addColumn('status', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incident_notes_incident').on('incident_notes').columns(['incident_id', 'id']).execute();
}
