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
  /** Rows imported with a value that looks wrong. */
  rowWarnings: RowError[];
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
  rowWarnings?: RowError[];
  held: number;
}

/** Kept in the row_errors column beside the errors (no migration): a warning is marked as one. */
type StoredRowError = RowError & { warning?: true };

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
      row_errors: JSON.stringify([
        ...r.rowErrors.slice(0, MAX_STORED_ROW_ERRORS),
        ...(r.rowWarnings ?? []).slice(0, MAX_STORED_ROW_ERRORS).map((w): StoredRowError => ({ ...w, warning: true })),
      ]),
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

function toRecord(r: Selectable<RosterImportsTable>): ImportRecord {
  const stored = JSON.parse(r.row_errors) as StoredRowError[];
  const plain = ({ warning: _, ...e }: StoredRowError): RowError => e;
  return {
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
    rowErrors: stored.filter((e) => !e.warning),
    rowWarnings: stored.filter((e) => e.warning).map(plain),
    held: r.held,
    sha256: r.sha256,
  };
}
