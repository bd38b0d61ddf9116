import { sql, type RawBuilder, type SqlBool } from 'kysely';

/**
 * "column contains text", ignoring letter case, the same on SQLite and
 * PostgreSQL (whose LIKE differ in case rules), with %, _ and \ in the text
 * taken literally.
 */
export function containsText(column: string | RawBuilder<unknown>, text: string): RawBuilder<SqlBool> {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<SqlBool>`lower(${typeof column === 'string' ? sql.ref(column) : column}) like ${pattern} escape '\\'`;
}
