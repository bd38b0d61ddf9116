import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * The People list walks people_name (district, last name, first name, Local
 * ID) and, on page 40, skips 3,900 active people to reach its hundred. With
 * `active` and the id in the index the skip reads the index alone
 * (people/people.ts pageByIds); without, each skipped person's row was read
 * to learn whether they were active. The trailing columns change nothing in
 * the order: the Local ID is already unique in a district. SQLite keeps the
 * row id in every index, so there only `active` is added.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.dropIndex('people_name').execute();
  if (dialect === 'postgres') {
    await sql`create index people_name on people (district_id, last_name, first_name, local_id) include (active, id)`.execute(db);
  } else {
    await db.schema.createIndex('people_name').on('people').columns(['district_id', 'last_name', 'first_name', 'local_id', 'active']).execute();
  }
}
