import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';
import { idColumn } from './columns.js';

/** Roster imports (the district's history and report), each district's roster settings, and its schools. */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('roster_imports')
    .addColumn('id', ...idColumn(dialect))
    .addColumn('district_id', 'integer', (c) => c.notNull().references('districts.id').onDelete('cascade'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('file', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('event_id', 'integer')
    .addColumn('sha256', 'text')
    .addColumn('format', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('created', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unchanged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deactivated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reactivated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('errors', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('message', 'text', (c) => c.notNull())
    // JSON array of {line, localId, message}: the rows the district must fix.
    .addColumn('row_errors', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('roster_imports_district').on('roster_imports').columns(['district_id', 'id']).execute();

  await db.schema
    .createTable('roster_settings')
    .addColumn('district_id', 'integer', (c) => c.primaryKey().references('districts.id').onDelete('cascade'))
    .addColumn('deactivate_students', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deactivate_staff', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deactivate_limit_percent', 'integer', (c) => c.notNull().defaultTo(10))
    .addColumn('clever_students_id', 'text', (c) => c.notNull())
    .addColumn('clever_teachers_id', 'text', (c) => c.notNull())
    .addColumn('clever_staff_id', 'text', (c) => c.notNull())
    .addColumn('oneroster_id', 'text', (c) => c.notNull())
    // JSON object: the district's own grade spellings → canonical grade.
    .addColumn('grade_overrides', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('schools')
    .addColumn('id', ...idColumn(dialect))
    .addColumn('district_id', 'integer', (c) => c.notNull().references('districts.id').onDelete('cascade'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('schools_code_unique', ['district_id', 'code'])
    .execute();
}
