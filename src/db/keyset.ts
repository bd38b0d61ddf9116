import { sql, type RawBuilder, type SqlBool } from 'kysely';

import type { SortDir } from '../shared/sort.js';

export type { ListSort, SortDir } from '../shared/sort.js';

/**
 * "After this row" in a list ordered by `columns` (all one way), as a row
 * value comparison: both databases seek it in the index the order walks, so
 * each page of an export starts where the last ended in one seek, where
 * OFFSET would read every row before it again (page 600 of a 600,000-person
 * district read 599,000 rows).
 */
export function afterRow(columns: ReadonlyArray<RawBuilder<unknown>>, values: readonly unknown[], dir: SortDir): RawBuilder<SqlBool> {
  const op = dir === 'asc' ? sql.raw('>') : sql.raw('<');
  return sql<SqlBool>`(${sql.join(columns)}) ${op} (${sql.join(values.map((v) => sql`${v}`))})`;
}

/**
 * Every row of a list, a page at a time, in the list's order: `page` reads
 * one page after the cursor (none: the first page), `cursor` names the last
 * row's order values. Only one page is ever held, whatever the list's size.
 */
export async function* keysetPages<Row>(
  page: (after: readonly unknown[] | undefined, limit: number) => Promise<Row[]>,
  cursor: (row: Row) => readonly unknown[],
  pageSize = 1000,
): AsyncGenerator<Row[]> {
  let after: readonly unknown[] | undefined;
  for (;;) {
    const rows = await page(after, pageSize);
    if (rows.length > 0) yield rows;
    if (rows.length < pageSize) return;
    after = cursor(rows[rows.length - 1] as Row);
  }
}
