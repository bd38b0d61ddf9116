import type { ColumnDataType, ColumnDefinitionBuilder } from 'kysely';
import type { Dialect } from '../db.js';

/** An auto-incrementing primary key, in each dialect's own words. */
export function idColumn(dialect: Dialect): [ColumnDataType, (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder] {
  return dialect === 'postgres'
    ? ['bigserial', (c) => c.primaryKey()]
    : ['integer', (c) => c.primaryKey().autoIncrement()];
}
