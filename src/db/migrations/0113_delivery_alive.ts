import type { Kysely } from 'kysely';

/**
 * When the node holding a delivery's session last said it was still open. A
 * node killed outright (kill -9, power) never ends its sessions' deliveries;
 * any node ends one whose holder stopped saying so (deliveries/liveness.ts),
 * so its report is finished, e-mailed and pushed after all. Rows from before
 * count from when they started.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('deliveries').addColumn('alive_at', 'text').execute();
  // The sweep looks only at open deliveries.
  await db.schema.createIndex('deliveries_open').on('deliveries').columns(['ended_at', 'alive_at']).execute();
}
