import type { Kysely } from 'kysely';

/**
 * API tokens a district can tell apart, let lapse and revoke: a label saying
 * what uses it, an optional expiry, and the first characters of the token
 * (never enough to use it) so a list can show which is which.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('api_tokens').addColumn('label', 'text').execute();
  await db.schema.alterTable('api_tokens').addColumn('expires_at', 'text').execute();
  await db.schema.alterTable('api_tokens').addColumn('token_start', 'text').execute();
}
