import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.js';
import { searchKey } from '../search.js';

/**
 * The People list orders names ignoring letter case (people/people.ts
 * nameOrder): ordered as written, by code point on both databases, every
 * surname starting in lower case ("de Souza", "van Houten") came after
 * "Zhang". people_name now holds that order, its keys the search keys
 * (db/search.ts searchKey), so a surname search is a range of this index
 * walked in the list's order: the first hundred "Okafor"s of 25,000 are read
 * and no more, where the matches were all read and sorted (20 ms in a
 * district of 500,000). Its first key is people_search_last_name's, which
 * goes. `active` and the id stay in it, as migration 0115 explains, and
 * the names as written join them: PostgreSQL reads an expression's key from
 * an index alone only when the index also holds the columns it is computed
 * from, and counting 10,001 "Okafor"s read their rows (20 ms) without them.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.dropIndex('people_name').execute();
  await db.schema.dropIndex('people_search_last_name').execute();
  const last = searchKey(dialect, 'last_name');
  const first = searchKey(dialect, 'first_name');
  if (dialect === 'postgres') {
    await sql`create index people_name on people (district_id, ${last}, ${first}, local_id) include (active, id, last_name, first_name)`.execute(db);
    // Likewise a first name's matches (31,000 "Ada"s) are counted from their own index alone: 9 ms where reading rows took 37.
    await db.schema.dropIndex('people_search_first_name').execute();
    await sql`create index people_search_first_name on people (district_id, ${first}) include (active, first_name)`.execute(db);
  } else {
    await sql`create index people_name on people (district_id, ${last}, ${first}, local_id, active, last_name, first_name)`.execute(db);
  }
}
