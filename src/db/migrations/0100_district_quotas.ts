import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Per-district quota overrides, and each district's drop-box usage kept by
 * triggers on dropbox_files: the count changes in the same transaction as the
 * file row, whichever node or path (upload, rename, delete, erase) changes
 * it, so it is exact under concurrent uploads without ever scanning. On
 * PostgreSQL the trigger's UPDATE locks the district's usage row until the
 * transaction ends, so two nodes' commits are counted one after the other.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('district_quotas')
    .addColumn('district_id', 'integer', (c) => c.primaryKey().references('districts.id').onDelete('cascade'))
    // null: the server's default.
    .addColumn('bytes', 'bigint')
    .addColumn('files', 'bigint')
    .execute();
  await db.schema
    .createTable('district_usage')
    .addColumn('district_id', 'integer', (c) => c.primaryKey().references('districts.id').onDelete('cascade'))
    .addColumn('bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('files', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`INSERT INTO district_usage (district_id, bytes, files)
    SELECT d.id, COALESCE(SUM(f.size), 0), COUNT(f.name) FROM districts d LEFT JOIN dropbox_files f ON f.district_id = d.id GROUP BY d.id`.execute(db);

  if (dialect === 'postgres') {
    await sql`CREATE FUNCTION lanyard_dropbox_usage() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
          UPDATE district_usage SET bytes = bytes - OLD.size, files = files - 1 WHERE district_id = OLD.district_id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
          UPDATE district_usage SET bytes = bytes + NEW.size, files = files + 1 WHERE district_id = NEW.district_id;
        END IF;
        RETURN NULL;
      END $$`.execute(db);
    await sql`CREATE TRIGGER dropbox_files_usage AFTER INSERT OR DELETE OR UPDATE OF size, district_id ON dropbox_files
      FOR EACH ROW EXECUTE FUNCTION lanyard_dropbox_usage()`.execute(db);
    await sql`CREATE FUNCTION lanyard_district_usage_row() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO district_usage (district_id) VALUES (NEW.id);
        RETURN NULL;
      END $$`.execute(db);
    await sql`CREATE TRIGGER districts_usage_row AFTER INSERT ON districts FOR EACH ROW EXECUTE FUNCTION lanyard_district_usage_row()`.execute(db);
    return;
  }
  await sql`CREATE TRIGGER dropbox_files_usage_insert AFTER INSERT ON dropbox_files BEGIN
      UPDATE district_usage SET bytes = bytes + NEW.size, files = files + 1 WHERE district_id = NEW.district_id;
    END`.execute(db);
  await sql`CREATE TRIGGER dropbox_files_usage_delete AFTER DELETE ON dropbox_files BEGIN
      UPDATE district_usage SET bytes = bytes - OLD.size, files = files - 1 WHERE district_id = OLD.district_id;
    END`.execute(db);
  await sql`CREATE TRIGGER dropbox_files_usage_update AFTER UPDATE OF size, district_id ON dropbox_files BEGIN
      UPDATE district_usage SET bytes = bytes - OLD.size, files = files - 1 WHERE district_id = OLD.district_id;
      UPDATE district_usage SET bytes = bytes + NEW.size, files = files + 1 WHERE district_id = NEW.district_id;
    END`.execute(db);
  await sql`CREATE TRIGGER districts_usage_row AFTER INSERT ON districts BEGIN
      INSERT INTO district_usage (district_id) VALUES (NEW.id);
    END`.execute(db);
}
