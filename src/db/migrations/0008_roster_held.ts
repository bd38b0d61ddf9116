import type { Kysely } from 'kysely';

/**
 * How many people an import did not deactivate because the guard held them
 * back: the Rosters desk offers to deactivate them anyway, which a school
 * secretary could otherwise only do from the command line.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('roster_imports')
    .addColumn('held', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
