import type { Logger } from 'pino';
import type { BlobStore } from '../../blobs/blobStore.js';
import type { Db } from '../../db/db.js';
import { LanyardError } from '../../shared/errors.js';
import { isOneRosterCompanion } from '../formats/oneroster.js';
import { blobInput, type FindDataFile } from '../read/input.js';
import { importRoster, type ImportResult } from './importer.js';

/**
 * The daily import: at a district's chosen time (UTC), the roster files
 * sitting in its data/ folder are imported again, as the nightly runs of a
 * student information system do. One node runs each day's import: the day is
 * claimed with a conditional update in the database.
 */

export async function setDailyImport(db: Db, districtId: number, at: string | null): Promise<string | null> {
  if (at === null) {
    await db.kysely.deleteFrom('roster_schedules').where('district_id', '=', districtId).execute();
    return null;
  }
  const m = /^(\d{1,2}):(\d{2})$/.exec(at.trim());
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new LanyardError('invalid', `The daily import time is HH:MM in UTC (e.g. 02:30), not "${at}".`);
  const dailyAt = `${(m[1] as string).padStart(2, '0')}:${m[2] as string}`;
  await db.kysely
    .insertInto('roster_schedules')
    .values({ district_id: districtId, daily_at: dailyAt, last_run_on: null })
    .onConflict((oc) => oc.column('district_id').doUpdateSet({ daily_at: dailyAt }))
    .execute();
  return dailyAt;
}

export async function getDailyImport(db: Db, districtId: number): Promise<string | null> {
  const r = await db.kysely.selectFrom('roster_schedules').select('daily_at').where('district_id', '=', districtId).executeTakeFirst();
  return r?.daily_at ?? null;
}

/** Clever's schools first (people point at them), then people files; OneRoster companions are read with users.csv. */
function importOrder(name: string): number | undefined {
  const n = name.toLowerCase();
  if (isOneRosterCompanion(n)) return undefined;
  if (!/\.(csv|txt|tsv|zip)$/.test(n)) return undefined;
  return n.includes('school') ? 0 : 1;
}

export interface ScheduleOptions {
  db: Db;
  blobs: BlobStore;
  log: Logger;
  listDataFiles(districtId: number): Promise<Array<{ name: string; blobKey: string; sha256: string }>>;
  findDataFile: FindDataFile;
  onPeopleChanged?: ((districtId: number) => void | Promise<void>) | undefined;
}

export interface ScheduledRun {
  districtId: number;
  results: Array<{ file: string; result: ImportResult }>;
}

/** Runs every district's import that is due at `now` and not yet run today. */
export async function runDueImports(opts: ScheduleOptions, now = new Date()): Promise<ScheduledRun[]> {
  const iso = now.toISOString();
  const today = iso.slice(0, 10);
  const time = iso.slice(11, 16);
  const due = await opts.db.kysely
    .selectFrom('roster_schedules')
    .select('district_id')
    .where('daily_at', '<=', time)
    .where((eb) => eb.or([eb('last_run_on', 'is', null), eb('last_run_on', '<', today)]))
    .execute();
  const runs: ScheduledRun[] = [];
  for (const { district_id: districtId } of due) {
    const claimed = await opts.db.kysely
      .updateTable('roster_schedules')
      .set({ last_run_on: today })
      .where('district_id', '=', districtId)
      .where((eb) => eb.or([eb('last_run_on', 'is', null), eb('last_run_on', '<', today)]))
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) continue; // another node took it
    const files = (await opts.listDataFiles(districtId))
      .map((f) => ({ ...f, order: importOrder(f.name) }))
      .filter((f): f is typeof f & { order: number } => f.order !== undefined)
      .sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
    const run: ScheduledRun = { districtId, results: [] };
    let changed = false;
    for (const f of files) {
      const result = await importRoster(
        opts.db,
        { districtId, file: f.name, source: 'schedule', eventId: null, sha256: f.sha256 },
        blobInput(opts.blobs, opts.findDataFile, districtId, f.name, f.blobKey),
      );
      run.results.push({ file: f.name, result });
      if (result.outcome === 'imported' && result.counts.created + result.counts.reactivated > 0) changed = true;
      opts.log.info({ district: districtId, file: f.name, outcome: result.outcome }, 'daily roster import');
    }
    if (changed) await opts.onPeopleChanged?.(districtId);
    runs.push(run);
  }
  return runs;
}

/** Checks once a minute for due imports; stop() waits for a run in progress. */
export function startDailyImports(opts: ScheduleOptions, everyMs = 60_000): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const tick = () => {
    // A long run (a big district) is never overlapped by the next minute's check.
    if (stopped || running) return;
    running = runDueImports(opts)
      .catch((err: unknown) => opts.log.error({ err }, 'daily roster imports failed'))
      .finally(() => (running = undefined));
  };
  const timer = setInterval(tick, everyMs);
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
