import type { Kysely } from 'kysely';
import type { Db } from '../db/db.js';
import type { Database } from '../db/schema.js';
import type { School } from './rosterRow.js';

/**
 * Records the schools a file names. A name from Clever's schools.csv or
 * OneRoster's orgs.csv replaces what was there; a bare building code never
 * erases a name already known.
 */
export async function upsertSchools(k: Kysely<Database>, districtId: number, schools: readonly School[], at: string): Promise<void> {
  for (const s of schools) {
    await k
      .insertInto('schools')
      .values({ district_id: districtId, code: s.code, name: s.name, updated_at: at })
      .onConflict((oc) => (s.name === null ? oc.columns(['district_id', 'code']).doNothing() : oc.columns(['district_id', 'code']).doUpdateSet({ name: s.name, updated_at: at })))
      .execute();
  }
}

export async function listSchools(db: Db, districtId: number): Promise<School[]> {
  const rows = await db.kysely.selectFrom('schools').select(['code', 'name']).where('district_id', '=', districtId).orderBy('code').execute();
  return rows;
}
