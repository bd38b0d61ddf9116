import type { Logger } from 'pino';
import type { Db } from '../db/db.js';
import { openDeliveriesHere } from './ticket.js';

/**
 * A delivery is open while its SFTP session or browser upload is: the node
 * holding it ends it (ticket.ts). A node killed outright never does, and its
 * delivery would stay "still connected" for ever: never finished, never
 * e-mailed or pushed. So each node says, every minute, which deliveries it
 * still holds, and any node ends the open ones nobody has vouched for in five
 * minutes, dated when they were last known open. The events they hold are
 * worked as always (a dead node's claims run out and another node takes
 * them), so the report then finishes like any other.
 */

export const HEARTBEAT_MS = 60_000;
/** Five heartbeats missed: longer than any pause of a live node (a full GC, a slow database). */
export const ABANDONED_AFTER_MS = 5 * 60_000;

/** Marks this node's open deliveries as still open. */
export async function keepDeliveriesAlive(db: Db, ids: readonly number[], now = new Date()): Promise<void> {
  if (ids.length === 0) return;
  await db.kysely.updateTable('deliveries').set({ alive_at: now.toISOString() }).where('id', 'in', ids).where('ended_at', 'is', null).execute();
}

/** Ends the open deliveries no node has vouched for since `ABANDONED_AFTER_MS` before `now`; returns how many. */
export async function endAbandonedDeliveries(db: Db, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - ABANDONED_AFTER_MS).toISOString();
  const r = await db.kysely
    .updateTable('deliveries')
    .set((eb) => ({ ended_at: eb.fn.coalesce('alive_at', 'started_at') }))
    .where('ended_at', 'is', null)
    .where((eb) => eb(eb.fn.coalesce('alive_at', 'started_at'), '<', before))
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** The loop of a node: keep its own deliveries alive, end the abandoned ones; stop() waits for a round in progress. */
export function startDeliveryLiveness(opts: { db: Db; log: Logger; everyMs?: number }): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  const tick = () => {
    if (running) return;
    running = keepDeliveriesAlive(opts.db, openDeliveriesHere())
      .then(() => endAbandonedDeliveries(opts.db))
      .then((ended) => {
        if (ended > 0) opts.log.warn({ ended }, 'ended deliveries whose node stopped without ending them');
      })
      .catch((err: unknown) => opts.log.error({ err }, 'delivery liveness failed'))
      .finally(() => (running = undefined));
  };
  const timer = setInterval(tick, opts.everyMs ?? HEARTBEAT_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
