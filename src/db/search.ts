import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Db, Dialect } from './db.js';

/**
 * The key a prefix search compares, exactly as the search indexes are
 * written (migration 0060): lower-cased, and on PostgreSQL in the "C"
 * collation, so that ordering is by code point as in SQLite and a range of
 * keys is exactly the strings that start with a prefix, whatever the
 * database's own collation.
 */
export function searchKey(dialect: Dialect, column: string | RawBuilder<unknown>, lower = true): RawBuilder<string> {
  const col = typeof column === 'string' ? sql.ref(column) : column;
  const key = lower ? sql`lower(${col})` : col;
  return dialect === 'postgres' ? sql<string>`(${key} collate "C")` : sql<string>`${key}`;
}

/**
 * "column starts with text", ignoring letter case, as a range of an index's
 * keys (`key >= 'ann' and key < 'ano'`): both databases seek it in a
 * (district_id, searchKey) index, where LIKE 'ann%' is refused by SQLite on
 * an expression and by PostgreSQL outside the "C" collation.
 */
export function startsWithText(dialect: Dialect, column: string | RawBuilder<unknown>, text: string, opts: { lower?: boolean } = {}): RawBuilder<SqlBool> {
  return prefixMatch(dialect, column, text, opts).where;
}

/** A startsWithText range with the key it compares, for a query that must walk that key's index in its order (districtSearch). */
export interface PrefixMatch {
  key: RawBuilder<string>;
  where: RawBuilder<SqlBool>;
}

export function prefixMatch(dialect: Dialect, column: string | RawBuilder<unknown>, text: string, opts: { lower?: boolean } = {}): PrefixMatch {
  const lower = opts.lower ?? true;
  const from = lower ? text.toLowerCase() : text;
  const key = searchKey(dialect, column, lower);
  const to = nextPrefix(from);
  return { key, where: to === undefined ? sql<SqlBool>`${key} >= ${from}` : sql<SqlBool>`(${key} >= ${from} and ${key} < ${to})` };
}

/** The least string greater than every string that starts with `prefix` (code point order), or none if there is none. */
export function nextPrefix(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      // Code points D800–DFFF are not characters (UTF-8 has none); the next one after D7FF is E000.
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return points.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

/** A person's full name ("Ann Lee") as the people search and its index (migration 0060) both write it. */
export const personFullName: RawBuilder<string> = sql<string>`${sql.ref('first_name')} || ' ' || ${sql.ref('last_name')}`;

/**
 * Up to this many matches per searched column, a search is few enough to
 * gather by id; beyond, the list's query applies the conditions itself.
 */
const GATHER_AT_MOST = 1000;
/** Up to this many matches in all, sorting them costs less than walking the list's order to find a page. */
const SORT_AT_MOST = 40_000;
/** On SQLite, which estimates nothing: from this many characters on, a search's many matches are sorted. */
const SORT_FROM_LENGTH = 3;

/** A search as the list's query applies it. */
export interface DistrictSearch {
  where: RawBuilder<SqlBool>;
  /**
   * Sort the matches rather than walk the list's order index: the list must
   * order by an expression no index holds (orderKey). The matches of a name
   * sit together in that order (every "Okafor" among the O's), so a walk to
   * the first page can read most of the district first (0.65 s for 25,000
   * Okafors in 500,000), where sorting them takes 20 ms.
   */
  sortMatches: boolean;
  /** More than GATHER_AT_MOST match some range: the conditions are in `where`, not their ids. */
  many: boolean;
  /** The ranges that match anyone, those with the most matches (as counted, up to GATHER_AT_MOST + 1) first. */
  matching: PrefixMatch[];
}

export interface DistrictSearchOptions {
  /**
   * Whether a search with many matches asks PostgreSQL whether to sort them
   * (sortMatches); a list that reads them some other way (people's surname
   * ranges, walked in the list's order) does not need the estimate.
   */
  decideSort?: boolean;
}

/**
 * One search over a district's rows (people or devices), built so that each
 * database answers it from the search indexes whatever the district's size.
 * `matches` are prefixMatch ranges of `text`, any of which matches.
 * Each range is first counted in its own index, up to GATHER_AT_MOST. Few
 * matches: their ids are read from the indexes and given to the list's query
 * as values, so only they are fetched and sorted (as a subquery, PostgreSQL
 * estimates an expression index's range at thousands of rows and walks the
 * order index of the whole district: 220 ms for five devices of 250,000).
 * Many: the conditions go into the list's query, sorted when there are at
 * most SORT_AT_MOST of them, else walking the list's order, where matches are
 * then dense enough to fill a page at once. Counting that far would cost as
 * much as either (PostgreSQL counted 25,000 matches by reading the whole
 * district's name index, 0.12 s), so PostgreSQL's own estimate from the
 * search indexes' statistics decides. SQLite estimates nothing and holds one
 * small district: there a name or tag of SORT_FROM_LENGTH characters or more
 * is sorted, one or two characters are walked.
 */
export async function districtSearch(
  db: Db,
  table: 'people' | 'devices',
  districtId: number,
  text: string,
  matches: readonly PrefixMatch[],
  options: DistrictSearchOptions = {},
): Promise<DistrictSearch> {
  const conditions = matches.map((m) => m.where);
  const inDistrict = (c: RawBuilder<SqlBool>) => sql`select id from ${sql.table(table)} where district_id = ${districtId} and ${c}`;
  const counts = await Promise.all(
    matches.map(async (m) => {
      // In the key's own order, so that the count walks the key's search index and stops at the cap. Unordered,
      // PostgreSQL expected the 25,000 "Okafor"s among 500,000 people to come early in the name index and walked
      // it instead, reading 350,000 entries before the first one (130 ms for a count it then capped at 1,001).
      const walk = sql`select ${m.key} as k from ${sql.table(table)} where district_id = ${districtId} and ${m.where} order by 1 limit ${GATHER_AT_MOST + 1}`;
      const r = await sql<{ n: number | string }>`select count(*) as n from (${walk}) as matching`.execute(db.kysely);
      return Number(r.rows[0]?.n ?? 0);
    }),
  );
  const matching = matches.map((m, i) => ({ m, n: counts[i]! })).filter((c) => c.n > 0).sort((a, b) => b.n - a.n).map((c) => c.m);
  if (counts.some((n) => n > GATHER_AT_MOST)) {
    const where = sql<SqlBool>`(${sql.join(conditions, sql` or `)})`;
    if (options.decideSort === false) return { where, sortMatches: false, many: true, matching };
    const sortMatches = db.dialect === 'postgres' ? (await estimatedRows(db, sql`select 1 from ${sql.table(table)} where district_id = ${districtId} and ${where}`)) <= SORT_AT_MOST : [...text].length >= SORT_FROM_LENGTH;
    return { where, sortMatches, many: true, matching };
  }
  const found = matching.map((m) => m.where);
  if (found.length === 0) return { where: sql<SqlBool>`1 = 0`, sortMatches: false, many: false, matching };
  const rows = await sql<{ id: number | string }>`${sql.join(found.map(inDistrict), sql` union `)}`.execute(db.kysely);
  return { where: sql<SqlBool>`${sql.ref(`${table}.id`)} in (${sql.join(rows.rows.map((r) => Number(r.id)))})`, sortMatches: true, many: false, matching };
}

/** How many rows PostgreSQL's planner expects a query to return, from its statistics, without running it. */
async function estimatedRows(db: Db, query: RawBuilder<unknown>): Promise<number> {
  const r = await sql<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>`explain (format json) ${query}`.execute(db.kysely);
  return r.rows[0]?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? Number.POSITIVE_INFINITY;
}

/** A list's first sort column as an expression no index holds, for a search whose matches are sorted (DistrictSearch.sortMatches). */
export function orderKey(column: string | RawBuilder<string>, sortMatches: boolean): RawBuilder<string> {
  const key = typeof column === 'string' ? sql<string>`${sql.ref(column)}` : column;
  return sortMatches ? sql<string>`(${key} || '')` : key;
}
