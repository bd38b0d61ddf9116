import type { Kysely } from 'kysely';

/**
 * A count that goes up whenever a district's SFTP credentials change (a new
 * password, a key removed, the login choice changed). Each live SFTP session
 * remembers the count it logged in under; a higher count in the database
 * ends it, on every node, so a reset password or removed key locks out the
 * very sessions that used it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('districts')
    .addColumn('sftp_credential_version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
