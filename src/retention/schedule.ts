import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { BlobStore } from '../blobs/blobStore.js';
import type { Db } from '../db/db.js';
import { runRetention } from './run.js';

/**
 * Retention runs on a schedule in every `serve`, and one node at a time does
 * the run: whoever takes the lease row for the next interval. (Taking it is a
 * conditional update, so two nodes asking at once get one yes; with SQLite
 * there is one node anyway.) A run that overlaps another is still safe (every
 * delete is guarded), only wasted work.
 */

const LEASE = 'retention';

/** Takes the run until `until` if nobody holds it now; true when this holder has it. */
export async function takeLease(db: Db, holder: string, now: Date, until: Date): Promise<boolean> {
  await db.kysely
    .insertInto('retention_lease')
    .values({ name: LEASE, holder: '', until: new Date(0).toISOString() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const r = await db.kysely
    .updateTable('retention_lease')
    .set({ holder, until: until.toISOString() })
    .where('name', '=', LEASE)
    .where('until', '<=', now.toISOString())
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export interface RetentionSchedule {
  stop(): Promise<void>;
}

/** Checks every minute whether the interval has passed since the last run anywhere, and runs if it takes the lease. */
export function startRetention(opts: { db: Db; blobs: BlobStore; log: Logger; intervalSeconds: number; clock?: () => Date }): RetentionSchedule {
  const clock = opts.clock ?? (() => new Date());
  const holder = `${hostname()}:${process.pid}`;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped || running) return;
    const now = clock();
    running = takeLease(opts.db, holder, now, new Date(now.getTime() + opts.intervalSeconds * 1000))
      .then((mine) => (mine ? runRetention(opts.db, opts.blobs, { now, log: opts.log }) : undefined))
      .catch((err: unknown) => opts.log.error({ err }, 'retention run failed; the next interval tries again'))
      .finally(() => (running = undefined));
  };
  const timer = setInterval(tick, Math.min(60_000, opts.intervalSeconds * 1000));
  timer.unref();
  tick();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
