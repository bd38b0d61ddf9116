import type { Kysely } from 'kysely';
import type { BlobStore } from '../../blobs/blobStore.js';
import type { Db } from '../../db/db.js';
import type { Database } from '../../db/schema.js';
import { createPeople, loadPeopleSnapshot, setPeopleActive, updatePeople } from '../../people/apply.js';
import { nowIso } from '../../shared/time.js';
import { parseRoster } from '../formats/parse.js';
import { blobInput, type RosterInput } from '../read/input.js';
import { isRosterRejection, type ParsedRoster, type RosterRejection, type RowError, type School } from '../rows.js';
import { findImport, hasLaterImport, recordImport } from './history.js';
import { countsOf, importedMessage, planImport, rejectedMessage, type ImportCounts, type ImportPlan } from './plan.js';
import { getRosterSettings, type RosterSettings } from './settings.js';

/*
 * Applying an import: read with the district's settings, plan against its
 * people, apply and record, in one transaction. Also the schools a file
 * names, and the deactivation guard's override.
 */

/** Where an import came from, for its history entry. */
export interface ImportMeta {
  districtId: number;
  file: string;
  source: string;
  eventId: number | null;
  sha256: string | null;
}

export interface ImportOptions {
  dryRun?: boolean;
  forceDeactivate?: boolean;
}

export type ImportResult =
  | {
      outcome: 'imported';
      dryRun: boolean;
      format: ParsedRoster['format'];
      counts: ImportCounts;
      message: string;
      rowErrors: RowError[];
      plan: ImportPlan;
    }
  | { outcome: 'rejected'; message: string; line: number | null; column: number | null };

export type Parsed = { ok: true; parsed: ParsedRoster; settings: RosterSettings } | { ok: false; rejection: RosterRejection };

/** Reads a file with the district's settings. Rejections are values; anything else (a disk error) throws. */
export async function parseForDistrict(db: Db, districtId: number, input: RosterInput): Promise<Parsed> {
  const settings = await getRosterSettings(db, districtId);
  try {
    return { ok: true, parsed: await parseRoster(input, settings), settings };
  } catch (err) {
    if (isRosterRejection(err)) return { ok: false, rejection: err };
    throw err;
  }
}

export async function planForDistrict(k: Kysely<Database>, districtId: number, parsed: ParsedRoster, settings: RosterSettings, opts: ImportOptions): Promise<ImportPlan> {
  return planImport(parsed, await loadPeopleSnapshot(k, districtId), settings, { forceDeactivate: opts.forceDeactivate === true });
}

/** Applies a plan and records it in the history, inside the caller's transaction. */
export async function commitPlan(trx: Kysely<Database>, meta: ImportMeta, parsed: ParsedRoster, plan: ImportPlan, message: string): Promise<void> {
  const at = nowIso();
  await upsertSchools(trx, meta.districtId, parsed.schools, at);
  await createPeople(trx, meta.districtId, plan.creates, at);
  await updatePeople(trx, meta.districtId, [...plan.updates, ...plan.reactivations], at);
  // A person marked inactive in the file whose details also changed was deactivated by their update already.
  const updated = new Set(plan.updates.map((u) => u.id));
  const deactivate = plan.deactivations.filter((d) => !updated.has(d.id));
  await setPeopleActive(trx, meta.districtId, deactivate.map((d) => d.id), false, at);
  const held = plan.held.reduce((n, h) => n + h.missing, 0);
  await recordImport(trx, { ...meta, at, format: parsed.format, outcome: 'imported', ...countsOf(plan), message, rowErrors: plan.rowErrors, rowWarnings: plan.rowWarnings, held });
}

export async function recordRejection(trx: Kysely<Database>, meta: ImportMeta, message: string, r: RosterRejection): Promise<void> {
  await recordImport(trx, {
    ...meta,
    at: nowIso(),
    format: null,
    outcome: 'rejected',
    created: 0,
    updated: 0,
    unchanged: 0,
    deactivated: 0,
    reactivated: 0,
    errors: 0,
    held: 0,
    message,
    rowErrors: r.where.line ? [{ line: r.where.line, localId: null, message: r.message }] : [],
  });
}

export const rejectedResult = (file: string, r: RosterRejection): ImportResult => ({
  outcome: 'rejected',
  message: rejectedMessage(file, r),
  line: r.where.line ?? null,
  column: r.where.column ?? null,
});

/**
 * A whole import in one transaction (the CLI's `roster import`, the daily
 * import, the guard's override): read the file, compare it with the district
 * inside the transaction, apply, record.
 * A dry run reads and compares only.
 */
export async function importRoster(db: Db, meta: ImportMeta, input: RosterInput, opts: ImportOptions = {}): Promise<ImportResult> {
  const p = await parseForDistrict(db, meta.districtId, input);
  if (!p.ok) {
    const result = rejectedResult(meta.file, p.rejection);
    if (!opts.dryRun) await db.kysely.transaction().execute((trx) => recordRejection(trx, meta, result.message, p.rejection));
    return result;
  }
  const { parsed, settings } = p;
  const finish = (plan: ImportPlan): ImportResult => ({
    outcome: 'imported',
    dryRun: opts.dryRun === true,
    format: parsed.format,
    counts: countsOf(plan),
    message: importedMessage(meta.file, plan, { dryRun: opts.dryRun === true, schools: parsed.schools.length }),
    rowErrors: plan.rowErrors,
    plan,
  });
  if (opts.dryRun) return finish(await planForDistrict(db.kysely, meta.districtId, parsed, settings, opts));
  return db.kysely.transaction().execute(async (trx) => {
    const plan = await planForDistrict(trx, meta.districtId, parsed, settings, opts);
    const result = finish(plan);
    await commitPlan(trx, meta, parsed, plan, result.message);
    return result;
  });
}

/** Two plans do the same: how the intake checks, inside its transaction, that nothing changed since it decided. */
export const planSignature = (plan: ImportPlan): string => JSON.stringify([countsOf(plan), plan.held.map((h) => [h.role, h.missing])]);

/**
 * Records the schools a file names. A name from Clever's schools.csv or
 * OneRoster's orgs.csv replaces what was there; a bare building code never
 * erases a name already known.
 */
export async function upsertSchools(k: Kysely<Database>, districtId: number, schools: readonly School[], at: string): Promise<void> {
  for (const s of schools) {
    await k
      .insertInto('schools')
      .values({ district_id: districtId, code: s.code, name: s.name, updated_at: at })
      .onConflict((oc) => (s.name === null ? oc.columns(['district_id', 'code']).doNothing() : oc.columns(['district_id', 'code']).doUpdateSet({ name: s.name, updated_at: at })))
      .execute();
  }
}

export async function listSchools(db: Db, districtId: number): Promise<School[]> {
  const rows = await db.kysely.selectFrom('schools').select(['code', 'name']).where('district_id', '=', districtId).orderBy('code').execute();
  return rows;
}

/** A file in the district's data/ folder now, with the hash that says whether it is the one an import read. */
export type FindDataFileWithHash = (districtId: number, name: string) => Promise<{ blobKey: string; sha256: string } | undefined>;

export type DeactivateAnyway =
  | { ok: true; result: ImportResult }
  | { ok: false; reason: 'not-found' | 'nothing-held' | 'superseded' | 'file-gone' | 'file-changed'; message: string };

/**
 * The guard's override, for an admin who checked the file: imports again
 * exactly the file an import held back deactivations for, this time
 * deactivating the missing people. Only while that file is still the one in
 * data/ and no later import of it has run, so the decision is made on the
 * same bytes the admin was told about, never on a file that changed since.
 */
export async function deactivateAnyway(db: Db, blobs: BlobStore, findDataFile: FindDataFileWithHash, districtId: number, importId: number): Promise<DeactivateAnyway> {
  const record = await findImport(db, districtId, importId);
  if (!record) return { ok: false, reason: 'not-found', message: 'That import is not in this district’s history.' };
  if (record.outcome !== 'imported' || record.held === 0) {
    return { ok: false, reason: 'nothing-held', message: `The import of ${record.file} did not hold anyone back: there is no one to deactivate.` };
  }
  if (await hasLaterImport(db, { districtId, id: record.id, file: record.file })) {
    return { ok: false, reason: 'superseded', message: `${record.file} has been imported again since; use the newest import in the history instead.` };
  }
  const file = await findDataFile(districtId, record.file);
  if (!file) {
    return { ok: false, reason: 'file-gone', message: `${record.file} is no longer in data/: upload it again, then choose “Deactivate them anyway” beside that import.` };
  }
  if (file.sha256 !== record.sha256) {
    return {
      ok: false,
      reason: 'file-changed',
      message: `${record.file} in data/ has changed since this import, so Lanyard will not act on the old one: the new file is imported on its own.`,
    };
  }
  const result = await importRoster(
    db,
    { districtId, file: record.file, source: 'web', eventId: null, sha256: file.sha256 },
    blobInput(blobs, findDataFile, districtId, record.file, file.blobKey),
    { forceDeactivate: true },
  );
  return { ok: true, result };
}
