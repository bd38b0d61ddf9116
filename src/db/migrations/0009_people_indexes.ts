import type { Kysely } from 'kysely';

/**
 * The People list in a district of tens of thousands. Its order is last
 * name, first name, then Local ID; without the Local ID in the index, both
 * databases sorted every person of the district to show a page of 100. The
 * school and grade filters' choices are read by skipping from one value to the
 * next in these indexes (people/people.ts), not by reading every person.
 * A roster import reads the district in pages by id (people/apply.ts); with
 * only indexes on other columns, each page sorted the whole district again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('people_name').execute();
  await db.schema.createIndex('people_name').on('people').columns(['district_id', 'last_name', 'first_name', 'local_id']).execute();
  await db.schema.createIndex('people_school').on('people').columns(['district_id', 'school']).execute();
  await db.schema.createIndex('people_grade').on('people').columns(['district_id', 'grade']).execute();
  await db.schema.createIndex('people_district').on('people').columns(['district_id', 'id']).execute();
}
