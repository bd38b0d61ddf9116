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
  const lower = opts.lower ?? true;
  const from = lower ? text.toLowerCase() : text;
  const key = searchKey(dialect, column, lower);
  const to = nextPrefix(from);
  return to === undefined ? sql<SqlBool>`${key} >= ${from}` : sql<SqlBool>`(${key} >= ${from} and ${key} < ${to})`;
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
 * One search over a district's rows (people or devices) as a condition the
 * list's query applies, built so that each database answers it from the
 * search indexes whatever the district's size. `conditions` are
 * startsWithText ranges, any of which matches. Both databases would rather
 * walk the list's order index and test every row, which is quick when
 * matches are many and reads the whole district when they are few (0.6 s for
 * one family in 200,000 people on SQLite). So each range is first counted
 * in its own index, up to `denseAbove`: if none passes it, the matches are
 * gathered by id from the indexes (at most a few times `denseAbove`) and only
 * they are sorted; if one does, matches are dense enough that walking the
 * order finds a page at once.
 */
export async function districtSearch(
  db: Db,
  table: 'people' | 'devices',
  districtId: number,
  conditions: Array<RawBuilder<SqlBool>>,
  denseAbove: number,
): Promise<RawBuilder<SqlBool>> {
  const inDistrict = (c: RawBuilder<SqlBool>) => sql`select id from ${sql.table(table)} where district_id = ${districtId} and ${c}`;
  const counts = await Promise.all(
    conditions.map(async (c) => {
      const r = await sql<{ n: number | string }>`select count(*) as n from (${inDistrict(c)} limit ${denseAbove + 1}) as matching`.execute(db.kysely);
      return Number(r.rows[0]?.n ?? 0);
    }),
  );
  if (counts.some((n) => n > denseAbove)) return sql<SqlBool>`(${sql.join(conditions, sql` or `)})`;
  const found = conditions.filter((_, i) => counts[i]! > 0);
  if (found.length === 0) return sql<SqlBool>`1 = 0`;
  return sql<SqlBool>`${sql.ref(`${table}.id`)} in (${sql.join(found.map(inDistrict), sql` union `)})`;
}
