import { sql, type Kysely } from 'kysely';
import type { Db } from '../db/db.js';
import type { Database, DropboxFolder, IntakeEventRow, IntakeOutcome } from '../db/schema.js';
import { isoPlusSeconds, nowIso } from '../shared/time.js';
import { RECEIVED } from './events.js';

/**
 * The intake queue is the intake_events table itself: an event is work while
 * its outcome is still "received". Keeping the queue in the database (not in
 * memory) is what lets a server be killed at any moment and every upload still
 * be processed exactly once after the restart, by this node or another one.
 */

export interface ClaimOptions {
  folder: DropboxFolder;
  limit: number;
  /** How long the claim holds; a worker that dies lets it run out and another takes over. */
  leaseSeconds: number;
  /** Only events at least this old: a roster must sit unchanged before it is read. */
  settleSeconds?: number;
}

export type ClaimedEvent = IntakeEventRow;

/**
 * Takes up to `limit` events, oldest first. An event waits while an older
 * event for the same file is unfinished, so a replacement is never overtaken by
 * the photo it replaces. PostgreSQL skips rows other nodes are claiming right
 * now; SQLite has one writer, so its transaction is enough.
 */
export async function claimEvents(db: Db, opts: ClaimOptions): Promise<ClaimedEvent[]> {
  const now = nowIso();
  const settledBefore = opts.settleSeconds ? isoPlusSeconds(now, -opts.settleSeconds) : now;
  // Redoable: a claim lost to a power cut is only a lease that never was.
  return db.redoableTransaction(async (trx) => {
    let pick = trx
      .selectFrom('intake_events as e')
      .select('e.id')
      .where('e.outcome', '=', RECEIVED)
      .where('e.folder', '=', opts.folder)
      .where('e.at', '<=', settledBefore)
      .where((eb) => eb.or([eb('e.claimed_until', 'is', null), eb('e.claimed_until', '<', now)]))
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('intake_events as older')
              .select(sql.lit(1).as('one'))
              .whereRef('older.district_id', '=', 'e.district_id')
              .whereRef('older.folder', '=', 'e.folder')
              .whereRef('older.file', '=', 'e.file')
              .whereRef('older.id', '<', 'e.id')
              .where('older.outcome', '=', RECEIVED),
          ),
        ),
      )
      .orderBy('e.id')
      .limit(opts.limit);
    if (db.dialect === 'postgres') pick = pick.forUpdate().skipLocked();
    const ids = (await pick.execute()).map((r) => r.id);
    if (ids.length === 0) return [];
    return trx
      .updateTable('intake_events')
      .set((eb) => ({ claimed_until: isoPlusSeconds(now, opts.leaseSeconds), attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', ids)
      .returningAll()
      .execute()
      .then((rows) => rows.sort((a, b) => a.id - b.id));
  });
}

/** Keeps a long piece of work (a big zip) claimed. */
export async function renewClaims(db: Db, ids: number[], leaseSeconds: number): Promise<void> {
  if (ids.length === 0) return;
  await db.redoableTransaction((trx) =>
    trx
      .updateTable('intake_events')
      .set({ claimed_until: isoPlusSeconds(nowIso(), leaseSeconds) })
      .where('id', 'in', ids)
      .where('outcome', '=', RECEIVED)
      .execute(),
  );
}

/** What became of an event, as the district reads it in the photos and rosters desks and the API. */
export interface Outcome {
  outcome: Exclude<IntakeOutcome, 'received'>;
  localId?: string | null | undefined;
  message: string;
}

/**
 * Records the outcome inside the transaction that applied it. Returns false
 * when the event was already finished (another worker got there first after a
 * lease ran out); the caller then rolls back, which is what makes it exactly once.
 */
export async function finishEvent(trx: Kysely<Database>, id: number, o: Outcome): Promise<boolean> {
  const res = await trx
    .updateTable('intake_events')
    .set({ outcome: o.outcome, local_id: o.localId ?? null, message: o.message, processed_at: nowIso(), claimed_until: null })
    .where('id', '=', id)
    .where('outcome', '=', RECEIVED)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** A newer event exists for the same file: how a roster replaced while settling is skipped. */
export async function hasNewerEvent(db: Db, e: ClaimedEvent): Promise<boolean> {
  const row = await db.kysely
    .selectFrom('intake_events')
    .select('id')
    .where('district_id', '=', e.district_id)
    .where('folder', '=', e.folder)
    .where('file', '=', e.file)
    .where('id', '>', e.id)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
