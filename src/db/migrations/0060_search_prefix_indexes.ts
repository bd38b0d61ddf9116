import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Dialect } from '../db.js';
import { personFullName, searchKey } from '../search.js';

/**
 * The people and device searches find what starts with the text typed
 * (people/people.ts, devices/devices.ts), each column a range of keys in an
 * index of its own, so a search in a district of 500,000 is a few seeks
 * where "contains" read every row. The keys are written by db/search.ts's
 * searchKey, the very expression the queries compare, which each database
 * needs to match a query to an expression index. On SQLite the Local ID's
 * key needs nothing new: people_local_id_key already orders it by code point.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const index = (name: string, table: string, key: RawBuilder<string>) =>
    sql`create index ${sql.id(name)} on ${sql.table(table)} (district_id, ${key})`.execute(db);

  await index('people_search_first_name', 'people', searchKey(dialect, 'first_name'));
  await index('people_search_last_name', 'people', searchKey(dialect, 'last_name'));
  await index('people_search_full_name', 'people', searchKey(dialect, personFullName));
  await index('people_search_email', 'people', searchKey(dialect, 'email'));
  if (dialect === 'postgres') await index('people_search_local_id_key', 'people', searchKey(dialect, 'local_id_key', false));
  await index('devices_search_asset_tag', 'devices', searchKey(dialect, 'asset_tag'));
  await index('devices_search_serial_number', 'devices', searchKey(dialect, 'serial_number'));
  await index('devices_search_model', 'devices', searchKey(dialect, 'model'));
}
