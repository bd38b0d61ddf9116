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
  /** Round-robin: begin with the first district after this one (the last district the previous claim served). */
  afterDistrict?: number;
}

export type ClaimedEvent = IntakeEventRow;

/** Districts looked at in one claim, at most: a claim's cost stays bounded however many districts wait. */
const MAX_DISTRICTS_PER_CLAIM = 64;

/**
 * Takes up to `limit` events, fairly across districts: districts in turn,
 * starting after `afterDistrict`, each one's oldest first, interleaved, so one
 * district's backlog of thousands delays another district's single photo by
 * one claim at most. Within a district an event waits while an older event for
 * the same file is unfinished, so a replacement is never overtaken by the photo
 * it replaces. PostgreSQL skips rows other nodes are claiming right now;
 * SQLite has one writer, so its transaction is enough.
 */
export async function claimEvents(db: Db, opts: ClaimOptions): Promise<ClaimedEvent[]> {
  const now = nowIso();
  const settledBefore = opts.settleSeconds ? isoPlusSeconds(now, -opts.settleSeconds) : now;
  // Redoable: a claim lost to a power cut is only a lease that never was.
  return db.redoableTransaction(async (trx) => {
    const oldestClaimable = async (districtId: number): Promise<number[]> => {
      let pick = trx
        .selectFrom('intake_events as e')
        .select('e.id')
        .where('e.outcome', '=', RECEIVED)
        .where('e.folder', '=', opts.folder)
        .where('e.district_id', '=', districtId)
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
      return (await pick.execute()).map((r) => r.id);
    };

    const perDistrict: number[][] = [];
    let found = 0;
    for (const districtId of await districtsWithWork(trx, opts.folder, opts.afterDistrict ?? 0, MAX_DISTRICTS_PER_CLAIM)) {
      const ids = await oldestClaimable(districtId);
      if (ids.length > 0) perDistrict.push(ids);
      found += ids.length;
      if (found >= opts.limit) break;
    }
    const ids = interleave(perDistrict, opts.limit);
    if (ids.length === 0) return [];
    const rows = await trx
      .updateTable('intake_events')
      .set((eb) => ({ claimed_until: isoPlusSeconds(now, opts.leaseSeconds), attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', ids)
      .returningAll()
      .execute();
    const order = new Map(ids.map((id, i) => [id, i]));
    return rows.sort((a, b) => (order.get(a.id) as number) - (order.get(b.id) as number));
  });
}

/**
 * Districts with unfinished events in the folder, in id order from the first
 * after `after`, wrapping around to the start: each step is one index seek
 * (a loose index scan), never a read of the events themselves.
 */
async function districtsWithWork(trx: Kysely<Database>, folder: DropboxFolder, after: number, max: number): Promise<number[]> {
  const from = async (exclusiveStart: number, n: number) =>
    (
      await sql<{ district_id: number }>`
        with recursive d(district_id) as (
          select min(district_id) from intake_events where outcome = ${RECEIVED} and folder = ${folder} and district_id > ${exclusiveStart}
          union all
          select (select min(i.district_id) from intake_events i where i.outcome = ${RECEIVED} and i.folder = ${folder} and i.district_id > d.district_id)
          from d where d.district_id is not null
        )
        select district_id from d where district_id is not null limit ${n}`.execute(trx)
    ).rows.map((r) => Number(r.district_id));
  const later = await from(after, max);
  if (later.length >= max || after <= 0) return later;
  const wrapped = (await from(0, max - later.length)).filter((id) => id <= after);
  return [...later, ...wrapped];
}

/** The first of each list, then the second of each, and so on, up to `limit`. */
function interleave(lists: number[][], limit: number): number[] {
  const out: number[] = [];
  for (let round = 0; out.length < limit; round++) {
    let any = false;
    for (const list of lists) {
      const id = list[round];
      if (id === undefined) continue;
      any = true;
      out.push(id);
      if (out.length === limit) break;
    }
    if (!any) break;
  }
  return out;
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
  /** The photo quality checks' codes, comma-separated (a photo linked or kept with warnings). */
  warnings?: string | undefined;
}

/**
 * Records the outcome inside the transaction that applied it. Returns false
 * when the event was already finished (another worker got there first after a
 * lease ran out); the caller then rolls back, which is what makes it exactly once.
 */
export async function finishEvent(trx: Kysely<Database>, id: number, o: Outcome): Promise<boolean> {
  const res = await trx
    .updateTable('intake_events')
    .set({ outcome: o.outcome, local_id: o.localId ?? null, message: o.message, warnings: o.warnings ?? '', processed_at: nowIso(), claimed_until: null })
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
