import type { Kysely, Selectable } from 'kysely';
import type { Db } from '../../db/db.js';
import type { Database, RosterImportsTable } from '../../db/schema.js';
import type { RowError } from '../rows.js';
import type { ImportCounts } from './plan.js';

/** One import as the district's history shows it. */
export interface ImportRecord extends ImportCounts {
  id: number;
  at: string;
  file: string;
  source: string;
  format: string | null;
  outcome: 'imported' | 'rejected';
  message: string;
  rowErrors: RowError[];
  /** People the deactivation guard kept active. */
  held: number;
  sha256: string | null;
}

/** Row errors kept per import: enough to fix a file, bounded for a file that is wrong on every line. */
const MAX_STORED_ROW_ERRORS = 1000;

export interface NewImportRecord extends ImportCounts {
  districtId: number;
  at: string;
  file: string;
  source: string;
  eventId: number | null;
  sha256: string | null;
  format: string | null;
  outcome: 'imported' | 'rejected';
  message: string;
  rowErrors: RowError[];
  held: number;
}

export async function recordImport(k: Kysely<Database>, r: NewImportRecord): Promise<number> {
  const row = await k
    .insertInto('roster_imports')
    .values({
      district_id: r.districtId,
      at: r.at,
      file: r.file,
      source: r.source,
      event_id: r.eventId,
      sha256: r.sha256,
      format: r.format,
      outcome: r.outcome,
      created: r.created,
      updated: r.updated,
      unchanged: r.unchanged,
      deactivated: r.deactivated,
      reactivated: r.reactivated,
      errors: r.errors,
      message: r.message,
      row_errors: JSON.stringify(r.rowErrors.slice(0, MAX_STORED_ROW_ERRORS)),
      held: r.held,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Newest first. */
export async function listImports(db: Db, districtId: number, limit = 50): Promise<ImportRecord[]> {
  const rows = await db.kysely.selectFrom('roster_imports').selectAll().where('district_id', '=', districtId).orderBy('id', 'desc').limit(limit).execute();
  return rows.map(toRecord);
}

/** One import, only within its district. */
export async function findImport(db: Db, districtId: number, id: number): Promise<ImportRecord | undefined> {
  const row = await db.kysely.selectFrom('roster_imports').selectAll().where('district_id', '=', districtId).where('id', '=', id).executeTakeFirst();
  return row && toRecord(row);
}

/** Whether a later import read a file of this name (then an earlier one's decision is out of date). */
export async function hasLaterImport(db: Db, r: Pick<ImportRecord, 'id' | 'file'> & { districtId: number }): Promise<boolean> {
  const row = await db.kysely.selectFrom('roster_imports').select('id').where('district_id', '=', r.districtId).where('file', '=', r.file).where('id', '>', r.id).limit(1).executeTakeFirst();
  return row !== undefined;
}

const toRecord = (r: Selectable<RosterImportsTable>): ImportRecord => ({
  id: r.id,
  at: r.at,
  file: r.file,
  source: r.source,
  format: r.format,
  outcome: r.outcome,
  created: r.created,
  updated: r.updated,
  unchanged: r.unchanged,
  deactivated: r.deactivated,
  reactivated: r.reactivated,
  errors: r.errors,
  message: r.message,
  rowErrors: JSON.parse(r.row_errors) as RowError[],
  held: r.held,
  sha256: r.sha256,
});
