import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * The People page's filters and counts in a district of 500,000. Each filter
 * (active or not, role, photo or not) walks the list's order and counts up to
 * 10,001 matches; where matches are one in ten or twenty, that read 100,000 to
 * 200,000 people per page (inactive: 0.1 s), and "no photo yet" probed
 * person_photos for each of them. With an index per filter, a count reads the
 * index alone.
 *
 * Whether a person has a current photo is kept on the person (has_photo) by
 * triggers on person_photos, so that every writer (the intake, erasure,
 * tests that insert rows) keeps it true without knowing of it.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable('people').addColumn('has_photo', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`update people set has_photo = 1 where exists (select 1 from person_photos c where c.person_id = people.id)`.execute(db);

  if (dialect === 'postgres') {
    await sql`create function people_has_photo() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          update people set has_photo = 0 where id = old.person_id;
          return old;
        end if;
        update people set has_photo = 1 where id = new.person_id and has_photo = 0;
        return new;
      end $$`.execute(db);
    await sql`create trigger person_photos_has_photo after insert or delete on person_photos for each row execute function people_has_photo()`.execute(db);
  } else {
    await sql`create trigger person_photos_has_photo_insert after insert on person_photos begin
      update people set has_photo = 1 where id = new.person_id and has_photo = 0; end`.execute(db);
    await sql`create trigger person_photos_has_photo_delete after delete on person_photos begin
      update people set has_photo = 0 where id = old.person_id; end`.execute(db);
  }

  await db.schema.createIndex('people_active').on('people').columns(['district_id', 'active', 'has_photo']).execute();
  await db.schema.createIndex('people_role').on('people').columns(['district_id', 'role']).execute();
}
