import type { Kysely } from 'kysely';

/**
 * The intake takes work district by district (intake/queue.ts): it steps from
 * one district with waiting events to the next, and takes each one's oldest,
 * by seeks in this index rather than by reading a neighbour's backlog of
 * twenty thousand photos on every claim.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('intake_events_fair').on('intake_events').columns(['outcome', 'folder', 'district_id', 'id']).execute();
}
