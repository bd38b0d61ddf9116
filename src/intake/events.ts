import type { Kysely } from 'kysely';
import type { Db } from '../db/db.js';
import type { Database, DropboxFolder, IntakeAction, IntakeEventRow, IntakeOutcome, IntakeSource } from '../db/schema.js';
import { nowIso } from '../shared/time.js';

/** Stored, not yet processed: every event starts here. */
export const RECEIVED = 'received' satisfies IntakeOutcome;

export interface NewEvent {
  districtId: number;
  source: IntakeSource;
  folder: DropboxFolder;
  file: string;
  action: IntakeAction;
  blob?: { key: string; sha256: string; size: number } | undefined;
  /** The SFTP session, browser upload or package it belongs to. */
  deliveryId?: number | null | undefined;
}

/** Inside the transaction that changes the file, so a file never changes without its event. */
export async function insertEvent(trx: Kysely<Database>, e: NewEvent): Promise<number> {
  const row = await trx
    .insertInto('intake_events')
    .values({
      district_id: e.districtId,
      at: nowIso(),
      source: e.source,
      folder: e.folder,
      file: e.file,
      action: e.action,
      blob_key: e.blob?.key ?? null,
      sha256: e.blob?.sha256 ?? null,
      size: e.blob?.size ?? null,
      outcome: RECEIVED,
      local_id: null,
      message: e.action === 'upload' ? 'Received; waiting to be processed.' : 'Deleted; waiting to be processed.',
      delivery_id: e.deliveryId ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface PublicEvent {
  id: number;
  at: string;
  source: IntakeSource;
  folder: DropboxFolder;
  file: string;
  action: IntakeAction;
  outcome: IntakeOutcome;
  localId: string | null;
  message: string;
  sha256: string | null;
  size: number | null;
}

const toPublic = (r: IntakeEventRow): PublicEvent => ({
  id: r.id,
  at: r.at,
  source: r.source,
  folder: r.folder,
  file: r.file,
  action: r.action,
  outcome: r.outcome,
  localId: r.local_id,
  message: r.message,
  sha256: r.sha256,
  size: r.size,
});

export const MAX_EVENTS_PAGE = 1000;

/** Oldest first, after a cursor: how an integration follows along without missing anything. */
export async function listEvents(db: Db, districtId: number, after: number, limit = MAX_EVENTS_PAGE): Promise<PublicEvent[]> {
  const rows = await db.kysely
    .selectFrom('intake_events')
    .selectAll()
    .where('district_id', '=', districtId)
    .where('id', '>', after)
    .orderBy('id')
    .limit(Math.min(limit, MAX_EVENTS_PAGE))
    .execute();
  return rows.map(toPublic);
}

/** Newest first, for people looking at what happened lately (the Photos and Rosters desks), filtered by folder and outcome. */
export async function recentEvents(
  db: Db,
  districtId: number,
  q: { folder?: DropboxFolder | undefined; outcome?: string | undefined; limit: number; offset: number },
): Promise<PublicEvent[]> {
  let query = db.kysely.selectFrom('intake_events').selectAll().where('district_id', '=', districtId);
  if (q.folder) query = query.where('folder', '=', q.folder);
  if (q.outcome) {
    // A filter from a page's query string: an outcome no event can have matches nothing.
    if (!isIntakeOutcome(q.outcome)) return [];
    query = query.where('outcome', '=', q.outcome);
  }
  const rows = await query.orderBy('id', 'desc').limit(Math.min(q.limit, MAX_EVENTS_PAGE)).offset(q.offset).execute();
  return rows.map(toPublic);
}

const OUTCOMES: Readonly<Record<IntakeOutcome, true>> = {
  received: true,
  linked: true,
  unmatched: true,
  rejected: true,
  removed: true,
  ignored: true,
  unpacked: true,
  imported: true,
  superseded: true,
};

const isIntakeOutcome = (s: string): s is IntakeOutcome => Object.hasOwn(OUTCOMES, s);
