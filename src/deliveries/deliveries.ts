import type { Db } from '../db/db.js';
import type { DeliveryRow, DropboxFolder, IntakeOutcome, IntakeSource } from '../db/schema.js';
import { classifyPhotoName } from '../photos/fileName.js';
import { decodeWarnings, describeWarnings, type PhotoWarning } from '../photos/warnings.js';
import { LanyardError } from '../shared/errors.js';

/**
 * A delivery as the district reads it: what one SFTP session, browser upload
 * or package brought, counted by outcome, with every file that did not simply
 * land on its person. Counted from the events themselves, so the report is
 * always what the intake decided, never a second bookkeeping that could drift.
 */

export interface DeliveryCounts {
  /** Shown on their person, with nothing found wrong. */
  linked: number;
  /** Kept until a roster brings their person. */
  unmatched: number;
  rejected: number;
  /** Shown on their person, but a quality check found something (not counted in `linked`). */
  flagged: number;
  /** Roster files imported. */
  imported: number;
  /** Files deleted. */
  removed: number;
  /** Not processed yet. */
  pending: number;
}

export interface DeliverySummary {
  id: number;
  source: IntakeSource;
  /** The SFTP username, the staff member's email, or the zip's name. */
  by: string;
  startedAt: string;
  /** When the session or upload ended; null while it is open. */
  endedAt: string | null;
  /** When it ended and every file had its outcome; null until then. */
  finishedAt: string | null;
  /** A package's delivery: the delivery its zip came in. */
  parentId: number | null;
  /** Files it brought (events: uploads and deletes). */
  files: number;
  counts: DeliveryCounts;
}

/** A file of the delivery that is not simply on its person, and why. */
export interface DeliveryProblem {
  eventId: number;
  folder: DropboxFolder;
  file: string;
  localId: string | null;
  outcome: 'unmatched' | 'rejected' | 'flagged';
  reason: string;
  warnings: PhotoWarning[];
}

export interface DeliveryReport extends DeliverySummary {
  problems: DeliveryProblem[];
  /** More problems than listed (all are in the CSV). */
  moreProblems: boolean;
  /** Packages unpacked from this delivery's zips, each a delivery of its own. */
  packages: DeliverySummary[];
}

const EMPTY_COUNTS = (): DeliveryCounts => ({ linked: 0, unmatched: 0, rejected: 0, flagged: 0, imported: 0, removed: 0, pending: 0 });

const COUNTED: Partial<Record<IntakeOutcome, keyof DeliveryCounts>> = {
  linked: 'linked',
  unmatched: 'unmatched',
  rejected: 'rejected',
  imported: 'imported',
  removed: 'removed',
  received: 'pending',
};

export const MAX_DELIVERIES_PAGE = 100;
export const PROBLEMS_SHOWN = 1000;

/**
 * Newest first, a page at a time (`before`: the last id of the previous page).
 * With `folder`, only deliveries that brought a file into that folder (the
 * Photos desk shows photo deliveries, the Rosters desk roster deliveries).
 */
export async function listDeliveries(
  db: Db,
  districtId: number,
  q: { folder?: DropboxFolder | undefined; before?: number | undefined; limit: number },
): Promise<DeliverySummary[]> {
  let query = db.kysely.selectFrom('deliveries as d').selectAll('d').where('d.district_id', '=', districtId);
  if (q.before !== undefined) query = query.where('d.id', '<', q.before);
  const folder = q.folder;
  // A delivery whose every change failed before its event has nothing to report.
  query = query.where(({ exists, selectFrom }) => {
    let events = selectFrom('intake_events as e').select('e.id').whereRef('e.delivery_id', '=', 'd.id');
    if (folder) events = events.where('e.folder', '=', folder);
    return exists(events);
  });
  const rows = await query.orderBy('d.id', 'desc').limit(Math.min(q.limit, MAX_DELIVERIES_PAGE)).execute();
  return summarise(db, rows);
}

/** One delivery of the district with its problems; not found for another district's. */
export async function getDelivery(db: Db, districtId: number, id: number): Promise<DeliveryReport> {
  const row = await db.kysely.selectFrom('deliveries').selectAll().where('district_id', '=', districtId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new LanyardError('not-found', `There is no delivery ${id} in this district.`);
  const [summary] = await summarise(db, [row]);
  const children = await db.kysely.selectFrom('deliveries').selectAll().where('parent_id', '=', id).where('district_id', '=', districtId).orderBy('id').execute();
  const problems = await deliveryProblems(db, id, { afterEventId: 0, limit: PROBLEMS_SHOWN + 1 });
  return {
    ...summary!,
    problems: problems.slice(0, PROBLEMS_SHOWN),
    moreProblems: problems.length > PROBLEMS_SHOWN,
    packages: await summarise(db, children),
  };
}

/** The newest delivery of the district, for `lanyard delivery show` without an id. */
export async function newestDelivery(db: Db, districtId: number): Promise<DeliveryReport> {
  const [newest] = await listDeliveries(db, districtId, { limit: 1 });
  if (!newest) throw new LanyardError('not-found', 'This district has had no delivery yet: upload files over SFTP or from the Photos or Rosters desk.');
  return getDelivery(db, districtId, newest.id);
}

/** Every problem of a delivery, a page at a time in event order (the CSV reads them all). */
export async function* allDeliveryProblems(db: Db, districtId: number, id: number): AsyncGenerator<DeliveryProblem> {
  await getDeliveryRow(db, districtId, id);
  let after = 0;
  for (;;) {
    const page = await deliveryProblems(db, id, { afterEventId: after, limit: 1000 });
    yield* page;
    if (page.length < 1000) return;
    after = page[page.length - 1]!.eventId;
  }
}

async function getDeliveryRow(db: Db, districtId: number, id: number): Promise<DeliveryRow> {
  const row = await db.kysely.selectFrom('deliveries').selectAll().where('district_id', '=', districtId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new LanyardError('not-found', `There is no delivery ${id} in this district.`);
  return row;
}

async function deliveryProblems(db: Db, deliveryId: number, page: { afterEventId: number; limit: number }): Promise<DeliveryProblem[]> {
  const rows = await db.kysely
    .selectFrom('intake_events')
    .select(['id', 'folder', 'file', 'outcome', 'local_id', 'message', 'warnings'])
    .where('delivery_id', '=', deliveryId)
    .where('id', '>', page.afterEventId)
    .where((eb) => eb.or([eb('outcome', 'in', ['unmatched', 'rejected']), eb('warnings', '!=', '')]))
    .orderBy('id')
    .limit(page.limit)
    .execute();
  return rows.map((r) => {
    const warnings = decodeWarnings(r.warnings);
    const outcome = r.outcome === 'unmatched' || r.outcome === 'rejected' ? r.outcome : 'flagged';
    const reason = outcome === 'flagged' ? describeWarnings(warnings) : warnings.length ? `${r.message} ${describeWarnings(warnings)}` : r.message;
    return { eventId: r.id, folder: r.folder, file: r.file, localId: r.local_id ?? localIdOfFile(r.folder, r.file), outcome, reason, warnings };
  });
}

/** An unmatched photo's Local ID is the one its name gives (nobody has it yet, so the event names no person). */
function localIdOfFile(folder: DropboxFolder, file: string): string | null {
  if (folder !== 'idphotos') return null;
  const name = classifyPhotoName(file.slice(file.lastIndexOf('/') + 1));
  return name.kind === 'photo' ? name.localId : null;
}

async function summarise(db: Db, rows: DeliveryRow[]): Promise<DeliverySummary[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const groups = await db.kysely
    .selectFrom('intake_events')
    .select((eb) => ['delivery_id', 'outcome', 'warnings', eb.fn.countAll<number>().as('n'), eb.fn.max('processed_at').as('last')])
    .where('delivery_id', 'in', ids)
    .groupBy(['delivery_id', 'outcome', 'warnings'])
    .execute();
  const by = new Map(ids.map((id) => [id, { counts: EMPTY_COUNTS(), files: 0, last: '' }]));
  for (const g of groups) {
    const d = by.get(Number(g.delivery_id));
    if (!d) continue;
    const n = Number(g.n);
    d.files += n;
    const key = g.outcome === 'linked' && g.warnings !== '' ? 'flagged' : COUNTED[g.outcome];
    if (key) d.counts[key] += n;
    if (g.last && g.last > d.last) d.last = g.last;
  }
  return rows.map((r) => {
    const d = by.get(r.id)!;
    const finished = r.ended_at !== null && d.counts.pending === 0;
    return {
      id: r.id,
      source: r.source,
      by: r.by,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      finishedAt: finished ? (d.last > r.ended_at! ? d.last : r.ended_at) : null,
      parentId: r.parent_id,
      files: d.files,
      counts: d.counts,
    };
  });
}
