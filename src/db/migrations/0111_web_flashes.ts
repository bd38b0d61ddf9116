import type { Kysely } from 'kysely';

/**
 * What a form's POST leaves for the page its redirect shows (a notice, an
 * error, a secret shown once): in the database, so the GET may land on any
 * node behind the load balancer. Bound to the web session (gone with it) and
 * read once; expired rows are swept as new ones are written.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('web_flashes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_hash', 'text', (c) => c.notNull().references('web_sessions.id_hash').onDelete('cascade'))
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('web_flashes_expiry').on('web_flashes').column('expires_at').execute();
  // Foreign keys are not indexed by themselves; a removed staff member's sessions cascade through this.
  await db.schema.createIndex('web_flashes_session').on('web_flashes').column('session_hash').execute();
}
