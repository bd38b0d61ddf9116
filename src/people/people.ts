import { sql, type Expression, type ExpressionBuilder, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Db, Dialect } from '../db/db.js';
import { afterRow, keysetPages, type ListSort } from '../db/keyset.js';
import { districtSearch, orderKey, personFullName, prefixMatch, searchKey, type PrefixMatch } from '../db/search.js';
import type { Database, PersonRole, PersonRow } from '../db/schema.js';
import { looseLocalIdKey, type MatchRule } from '../localId/localId.js';

export type { PersonRole };

/** A student or staff member of one district, known by their Local ID. */
export interface Person {
  id: number;
  districtId: number;
  localId: string;
  firstName: string;
  lastName: string;
  role: PersonRole;
  school: string | null;
  grade: string | null;
  email: string | null;
  stateId: string | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export const toPerson = (r: PersonRow): Person => ({
  id: r.id,
  districtId: r.district_id,
  localId: r.local_id,
  firstName: r.first_name,
  lastName: r.last_name,
  role: r.role,
  school: r.school,
  grade: r.grade,
  email: r.email,
  stateId: r.state_id,
  active: r.active === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** How a person's name is shown, and the alt text of their photo. */
export { fullName } from './name.js';

type Reader = Kysely<Database>;

/**
 * A Local ID as typed at a desk, in a search or in a URL: exactly as written
 * first, otherwise in any letter case when that is one person only (the
 * roster may hold `a123` and `A123` as two people; neither is guessed).
 */
export async function findPerson(db: Db | Reader, districtId: number, localId: string): Promise<Person | undefined> {
  const k = 'kysely' in db ? db.kysely : db;
  const exact = await findPersonExactly(k, districtId, localId);
  if (exact) return exact;
  // Every Local ID equal ignoring case shares the loose key, whose index narrows the few to compare.
  const folded = localId.toLowerCase();
  const rows = await k.selectFrom('people').selectAll().where('district_id', '=', districtId).where('local_id_key', '=', looseLocalIdKey(localId)).limit(50).execute();
  const sameIgnoringCase = rows.filter((r) => r.local_id.toLowerCase() === folded);
  return sameIgnoringCase.length === 1 ? toPerson(sameIgnoringCase[0] as PersonRow) : undefined;
}

async function findPersonExactly(k: Reader, districtId: number, localId: string): Promise<Person | undefined> {
  const row = await k.selectFrom('people').selectAll().where('district_id', '=', districtId).where('local_id', '=', localId).executeTakeFirst();
  return row ? toPerson(row) : undefined;
}

export async function findPersonById(db: Db, districtId: number, id: number): Promise<Person | undefined> {
  const row = await db.kysely.selectFrom('people').selectAll().where('district_id', '=', districtId).where('id', '=', id).executeTakeFirst();
  return row ? toPerson(row) : undefined;
}

export type PersonMatch =
  | { kind: 'matched'; person: Person; rule: MatchRule }
  | { kind: 'ambiguous'; candidates: Person[] }
  | { kind: 'none' };

/**
 * The Local ID exactly as written first; otherwise a unique match ignoring
 * letter case and leading zeros (photographers' spreadsheets drop them). Two
 * people sharing the loose key is ambiguous: guessing would show a child's
 * photo on another child's profile.
 */
export async function matchPerson(db: Db | Reader, districtId: number, localId: string): Promise<PersonMatch> {
  const k = 'kysely' in db ? db.kysely : db;
  const exact = await findPersonExactly(k, districtId, localId);
  if (exact) return { kind: 'matched', person: exact, rule: 'exact' };
  const rows = await k
    .selectFrom('people')
    .selectAll()
    .where('district_id', '=', districtId)
    .where('local_id_key', '=', looseLocalIdKey(localId))
    .orderBy('local_id')
    .limit(10)
    .execute();
  if (rows.length === 1) return { kind: 'matched', person: toPerson(rows[0] as PersonRow), rule: 'ignoring-case-and-leading-zeros' };
  if (rows.length > 1) return { kind: 'ambiguous', candidates: rows.map(toPerson) };
  return { kind: 'none' };
}

/** What a People list shows: its filters and search (PeopleQuery without the page). */
export interface PeopleFilter {
  /** Name, Local ID or email, in part. */
  text?: string | undefined;
  school?: string | undefined;
  grade?: string | undefined;
  role?: PersonRole | undefined;
  active?: boolean | undefined;
  /** A condition another module owns, such as "has a photo" (photos/coverage.ts), applied in the same query. */
  restrict?: PeopleRestriction | undefined;
  /** By name (last, first, Local ID) unless said. */
  sort?: PeopleSort | undefined;
}

export interface PeopleQuery extends PeopleFilter {
  limit: number;
  offset: number;
}

/**
 * The orders a district of 600,000 can afford: each walks an index that
 * already exists (people_name; the (district_id, local_id) unique key),
 * forwards or backwards. School or grade would sort hundreds of thousands of
 * ties on every page, so they are not offered.
 */
export type PeopleSortKey = 'name' | 'localId';
export type PeopleSort = ListSort<PeopleSortKey>;
export const PEOPLE_SORTS: readonly PeopleSortKey[] = ['name', 'localId'];

/** A condition on a person row, written by the module that owns what it asks about. */
export type PeopleRestriction = (eb: ExpressionBuilder<Database, 'people'>) => Expression<SqlBool>;

/**
 * Counting stops here: "more than 10,000 people" is as useful to a person as
 * the exact number, and counting 500,000 for every page of 100 is not free.
 */
export const COUNT_LIMIT = 10_000;

/**
 * The list's name order: last name, then first name, each ignoring letter
 * case exactly as the search keys do (db/search.ts searchKey), then the Local
 * ID, unique in a district, so the order is total and a keyset cursor exact.
 * people_name (migration 0116) holds it.
 */
export function nameOrder(dialect: Dialect): Array<RawBuilder<string>> {
  return [searchKey(dialect, 'last_name'), searchKey(dialect, 'first_name'), sql<string>`${sql.ref('local_id')}`];
}

/** The people a filter matches, as one query to page or count, and the order it is walked in. */
async function matching(db: Db, districtId: number, q: PeopleFilter) {
  const by = q.sort?.by ?? 'name';
  const dir = q.sort?.dir ?? 'asc';
  const text = q.text?.trim();
  const conditions = text ? textConditions(db.dialect, text) : [];
  // Read in name order from each range's own index (searchedInNameOrder), a search needs no estimate of whether to sort.
  const search = text ? await districtSearch(db, 'people', districtId, text, conditions, { decideSort: by !== 'name' }) : undefined;
  const filtered = (query: PeopleBase): PeopleBase => {
    let f = query;
    if (q.school) f = f.where('school', '=', q.school);
    if (q.grade) f = f.where('grade', '=', q.grade);
    if (q.role) f = f.where('role', '=', q.role);
    if (q.active !== undefined) f = f.where('active', '=', q.active ? 1 : 0);
    if (q.restrict) f = f.where(q.restrict);
    return f;
  };
  // The first column as orderKey writes it: a search's sorted matches must not walk the index (db/search.ts).
  const [first, ...rest] = by === 'localId' ? [sql<string>`${sql.ref('local_id')}`] : nameOrder(db.dialect);
  const columns: Array<RawBuilder<unknown>> = [orderKey(first!, search?.sortMatches ?? false), ...rest];
  /**
   * The matching people, to be ordered and limited by the caller, who reads
   * at most `needed` of them (in the list's order unless `anyOrder`, as for a
   * count, and only those after `after`): a search then reads each of its
   * ranges no further than that.
   */
  const from = (needed: number, opts: { after?: readonly unknown[]; anyOrder?: boolean } = {}): PeopleBase => {
    if (search?.many === true && by === 'name') {
      return searchedInNameOrder(db, districtId, search.matching, filtered, { columns: opts.anyOrder ? [] : columns, dir, needed, after: opts.after });
    }
    const plain = filtered(peopleOfDistrict(db, districtId));
    return search ? plain.where(search.where) : plain;
  };
  return { from, columns, dir };
}

function peopleOfDistrict(db: Db, districtId: number) {
  return db.kysely.selectFrom('people').where('district_id', '=', districtId);
}

type PeopleBase = ReturnType<typeof peopleOfDistrict>;

/**
 * The people any of a search's ranges match, once each, for a list in name
 * order: each range's first `needed` people in that order (after `after`),
 * one range after another (UNION ALL, each leaving out whom an earlier one
 * matched; the range with the most matches goes first, as the first tests
 * no other), for the caller to order and limit again. So each database
 * reads each range from its own index, and a surname's range walks
 * people_name in the list's order (migration 0116): page one of 25,000
 * "Okafor"s reads a hundred of them. As one OR, all 25,000 were read and
 * sorted (20 ms in a district of 500,000).
 */
function searchedInNameOrder(
  db: Db,
  districtId: number,
  conditions: readonly PrefixMatch[],
  filtered: (arm: PeopleBase) => PeopleBase,
  /** No columns: any `needed` of each range. */
  order: { columns: Array<RawBuilder<unknown>>; dir: 'asc' | 'desc'; needed: number; after: readonly unknown[] | undefined },
): PeopleBase {
  const arms = conditions.map((c, i) => {
    let arm = filtered(peopleOfDistrict(db, districtId).where(c.where));
    if (order.after) arm = arm.where(afterRow(order.columns, order.after, order.dir));
    for (const earlier of conditions.slice(0, i)) arm = arm.where(sql<SqlBool>`(${earlier.where}) is not true`);
    // A subquery of its own: an arm's ORDER BY and LIMIT may not stand bare in a UNION.
    return db.kysely.selectFrom(ordered(arm.selectAll(), order.columns, order.dir).limit(order.needed).as('arm')).selectAll();
  });
  const union = arms.reduce((all, arm) => all.unionAll(arm));
  // The people table's columns under its name: every condition and order written for the table holds for it.
  return db.kysely.selectFrom(union.as('people')) as unknown as PeopleBase;
}

/**
 * One page of people, by last name (or as sorted), and how many match in all
 * (counted up to COUNT_LIMIT; `more` says there are more). Every filter is a
 * condition in one indexed query, so a page costs the same in a district of
 * 500 as of 500,000.
 */
export async function searchPeople(db: Db, districtId: number, q: PeopleQuery): Promise<{ people: Person[]; total: number; more: boolean }> {
  const { from, columns, dir } = await matching(db, districtId, q);
  const [rows, count] = await Promise.all([
    pageByIds(db, from(q.offset + q.limit), columns, dir, q),
    db.kysely
      .selectFrom(from(COUNT_LIMIT + 1, { anyOrder: true }).select(sql.lit(1).as('one')).limit(COUNT_LIMIT + 1).as('matching'))
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  const n = Number(count.n);
  return { people: rows.map(toPerson), total: Math.min(n, COUNT_LIMIT), more: n > COUNT_LIMIT };
}

function ordered<T extends { orderBy(c: RawBuilder<unknown>, dir: 'asc' | 'desc'): T }>(query: T, columns: Array<RawBuilder<unknown>>, dir: 'asc' | 'desc'): T {
  let q = query;
  for (const c of columns) q = q.orderBy(c, dir);
  return q;
}

/**
 * A page's ids are found first, from the order's columns alone, and only its
 * hundred rows are read whole. Page 40 skips 3,900 people: with `active` and
 * the id in the name index (migrations 0115, 0116) that skip reads the
 * index only, where it read each skipped person's row (10 ms in a district
 * of 500,000). A search whose matches are sorted (by Local ID, a first name
 * shared by 30,000) sorts ids and keys rather than whole rows.
 */
function pageByIds(db: Db, base: PeopleBase, columns: Array<RawBuilder<unknown>>, dir: 'asc' | 'desc', q: PeopleQuery): Promise<PersonRow[]> {
  const ids = ordered(base.select('people.id'), columns, dir).limit(q.limit).offset(q.offset);
  return ordered(db.kysely.selectFrom('people').selectAll().where('id', 'in', ids), columns, dir).execute();
}

/**
 * Everyone a filter matches, in the list's order, a page at a time (keyset,
 * never OFFSET): the CSV export of a 600,000-person district holds one page
 * in memory, and each page is one seek in the index the list walks.
 */
export async function* allPeopleMatching(db: Db, districtId: number, q: PeopleFilter, pageSize = 1000): AsyncGenerator<Person[]> {
  const { from, columns, dir } = await matching(db, districtId, q);
  // The cursor is the order's own values as the database computed them (its lower() is not JavaScript's).
  const keys = columns.map((c, i) => c.as(`order_key_${i}`));
  const read = (after: readonly unknown[] | undefined, limit: number) => {
    const page = from(limit, { after }).selectAll().select(keys);
    return ordered(after ? page.where(afterRow(columns, after, dir)) : page, columns, dir)
      .limit(limit)
      .execute();
  };
  const cursor = (row: Record<string, unknown>) => columns.map((_, i) => row[`order_key_${i}`]);
  for await (const rows of keysetPages(read, cursor, pageSize)) yield rows.map((r) => toPerson(r));
}

/**
 * What a search's text finds: people whose first name, last name, full name
 * ("Ann Lee"), email or Local ID starts with it, ignoring letter case (and,
 * for the Local ID, leading zeros, as photo file names are matched). Starts
 * with, not contains: each is then a seek in an index of its own (migration
 * 0060) on both databases, so a search costs the same in any district, where
 * "contains" read every person of the district.
 */
function textConditions(dialect: Dialect, text: string): PrefixMatch[] {
  const words = text.replace(/\s+/g, ' ');
  // A space is between first and last name ("Ann Lee") or inside either ("Van Houten", "Mary Ann"); no email or Local ID has one.
  if (words.includes(' ')) return [personFullName, 'first_name', 'last_name'].map((c) => prefixMatch(dialect, c, words));
  const conditions = [prefixMatch(dialect, 'first_name', text), prefixMatch(dialect, 'last_name', text), prefixMatch(dialect, 'email', text)];
  const key = looseLocalIdKey(text);
  if (key) conditions.push(prefixMatch(dialect, 'local_id_key', key, { lower: false }));
  return conditions;
}

/** The schools and grades people are in, for the filters of the people list. */
export async function peopleFacets(db: Db, districtId: number): Promise<{ schools: string[]; grades: string[] }> {
  const [schools, grades] = await Promise.all([distinctValues(db, districtId, 'school'), distinctValues(db, districtId, 'grade')]);
  return { schools, grades };
}

/**
 * A column's distinct values in a district, in order, by jumping from each
 * value to the next one in the (district_id, column) index: a few dozen index
 * lookups for a few dozen schools, where DISTINCT read every person (46 ms for
 * 100,000 people). The same SQL runs on SQLite and PostgreSQL; min() skips nulls.
 */
async function distinctValues(db: Db, districtId: number, column: 'school' | 'grade'): Promise<string[]> {
  const col = sql.ref(column);
  const rows = await sql<{ v: string | null }>`
    with recursive next_value(v) as (
      select min(${col}) from people where district_id = ${districtId}
      union all
      select (select min(${col}) from people where district_id = ${districtId} and ${col} > next_value.v)
      from next_value where next_value.v is not null
    )
    select v from next_value where v is not null`.execute(db.kysely);
  return rows.rows.map((r) => r.v as string);
}

/** Several people at once by id (for lists that show who: check-outs, incidents), keyed by id. */
export async function peopleByIds(db: Db, districtId: number, ids: readonly number[]): Promise<Map<number, Person>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db.kysely.selectFrom('people').selectAll().where('district_id', '=', districtId).where('id', 'in', unique).execute();
  return new Map(rows.map((r) => [r.id, toPerson(r)]));
}
