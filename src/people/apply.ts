import { sql, type Kysely } from 'kysely';
import type { Database, PersonRole } from '../db/schema.js';
import { looseLocalIdKey } from '../localId/localId.js';
import type { Person } from './people.js';

/**
 * Bulk writes of people, for the roster import: everything a roster says about
 * a person, created or updated in batches inside the caller's transaction.
 * Every write keeps `local_id_key` in step with the Local ID, since photo names
 * are matched by it.
 */

/** What a roster says about one person: a Person without what the database assigns. */
export type PersonFields = Pick<Person, 'localId' | 'firstName' | 'lastName' | 'role' | 'school' | 'grade' | 'email' | 'stateId' | 'active'>;

/** The details a roster sets, besides the Local ID, role and active flag. */
export type PersonDetails = Pick<PersonFields, 'firstName' | 'lastName' | 'school' | 'grade' | 'email' | 'stateId'>;

/**
 * A district's person as the import compares them, kept small because an
 * import of 100,000 people holds all of them at once: the details are one
 * string (see detailsKey), split again only for the few people who changed.
 */
export interface PersonSnapshot {
  id: number;
  role: PersonRole;
  active: boolean;
  details: string;
}

// Unit and record separators: characters no roster field holds, and (unlike NUL) PostgreSQL accepts in text.
const SEP = '\u001f';
const NULL = '\u001e';

/** The details as one comparable string: equal strings, equal details. */
export function detailsKey(d: PersonDetails): string {
  // Concatenated, not joined from an array: it runs once for each of 100,000 rows.
  return d.firstName + SEP + d.lastName + SEP + (d.school ?? NULL) + SEP + (d.grade ?? NULL) + SEP + (d.email ?? NULL) + SEP + (d.stateId ?? NULL);
}

export function detailsOf(s: PersonSnapshot): PersonDetails {
  const [firstName = '', lastName = '', school, grade, email, stateId] = s.details.split(SEP);
  const v = (x: string | undefined) => (x === undefined || x === NULL ? null : x);
  return { firstName, lastName, school: v(school), grade: v(grade), email: v(email), stateId: v(stateId) };
}

type Trx = Kysely<Database>;

const SNAPSHOT_PAGE = 5_000;

/** Each role as one shared string, not a copy per person read. */
const SHARED_ROLE: Readonly<Record<PersonRole, PersonRole>> = { student: 'student', staff: 'staff' };

/**
 * detailsKey computed by the database (the two must stay identical: the
 * "same file again" imports prove it on both), the same SQL on both: one string per
 * person arrives instead of six that would be joined here and dropped, which
 * was most of an import's peak memory.
 */
const detailsSql = sql<string>`first_name || ${SEP} || last_name || ${SEP} || coalesce(school, ${NULL}) || ${SEP} || coalesce(grade, ${NULL}) || ${SEP} || coalesce(email, ${NULL}) || ${SEP} || coalesce(state_id, ${NULL})`;

/** Everyone in the district, by Local ID: what an import is compared against. Read in pages to keep memory flat. */
export async function loadPeopleSnapshot(k: Trx, districtId: number): Promise<Map<string, PersonSnapshot>> {
  const out = new Map<string, PersonSnapshot>();
  for (let after = 0; ; ) {
    const rows = await k
      .selectFrom('people')
      .select(['id', 'local_id', 'role', 'active', detailsSql.as('details')])
      .where('district_id', '=', districtId)
      .where('id', '>', after)
      .orderBy('id')
      .limit(SNAPSHOT_PAGE)
      .execute();
    for (const r of rows) {
      out.set(r.local_id, { id: r.id, role: SHARED_ROLE[r.role], active: r.active === 1, details: r.details });
    }
    if (rows.length < SNAPSHOT_PAGE) return out;
    after = (rows[rows.length - 1] as { id: number }).id;
  }
}

/** 11 columns a row: 400 rows stay far below both databases' parameter limits. */
const INSERT_BATCH = 400;
const ID_BATCH = 1000;

export async function createPeople(k: Trx, districtId: number, people: readonly PersonFields[], at: string): Promise<void> {
  for (let i = 0; i < people.length; i += INSERT_BATCH) {
    await k
      .insertInto('people')
      .values(
        people.slice(i, i + INSERT_BATCH).map((p) => ({ district_id: districtId, ...columns(p), created_at: at, updated_at: at })),
      )
      .execute();
  }
}

/** Sets everything the roster says (active included) on existing people. */
export async function updatePeople(k: Trx, districtId: number, changes: ReadonlyArray<{ id: number; fields: PersonFields }>, at: string): Promise<void> {
  for (const { id, fields: p } of changes) {
    await k
      .updateTable('people')
      .set({ ...columns(p), updated_at: at })
      .where('district_id', '=', districtId)
      .where('id', '=', id)
      .execute();
  }
}

/** Deactivates (or reactivates) people; their photos and history stay. */
export async function setPeopleActive(k: Trx, districtId: number, ids: readonly number[], active: boolean, at: string): Promise<void> {
  for (let i = 0; i < ids.length; i += ID_BATCH) {
    await k
      .updateTable('people')
      .set({ active: active ? 1 : 0, updated_at: at })
      .where('district_id', '=', districtId)
      .where('id', 'in', ids.slice(i, i + ID_BATCH))
      .execute();
  }
}

/** A roster's fields as the people table's columns, the same for a new person and a changed one. */
const columns = (p: PersonFields) => ({
  local_id: p.localId,
  local_id_key: looseLocalIdKey(p.localId),
  first_name: p.firstName,
  last_name: p.lastName,
  role: p.role,
  school: p.school,
  grade: p.grade,
  email: p.email,
  state_id: p.stateId,
  active: p.active ? 1 : 0,
});
