import type { Kysely } from 'kysely';
import type { Db } from '../db/db.js';
import type { Database } from '../db/schema.js';
import { createPeople, loadPeopleSnapshot, setPeopleActive, updatePeople } from '../people/apply.js';
import { nowIso } from '../shared/time.js';
import { recordImport } from './history.js';
import { parseRoster, type RosterInput } from './parse.js';
import { countsOf, planImport, type ImportCounts, type ImportPlan } from './plan.js';
import { isRosterRejection, type RosterRejection } from './rejection.js';
import { importedMessage, rejectedMessage } from './report.js';
import type { ParsedRoster, RowError } from './rosterRow.js';
import { upsertSchools } from './schools.js';
import { getRosterSettings, type RosterSettings } from './settings.js';

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
  await recordImport(trx, { ...meta, at, format: parsed.format, outcome: 'imported', ...countsOf(plan), message, rowErrors: plan.rowErrors, held });
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
 * A whole import in one transaction (the CLI's `roster import`): read the
 * file, compare it with the district inside the transaction, apply, record.
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
