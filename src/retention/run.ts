import type { Logger } from 'pino';
import { BlobNotFoundError, type BlobStore } from '../blobs/blobStore.js';
import type { Db } from '../db/db.js';
import { getPolicy, RULES, type Rule } from './policy.js';
import { referencedKeys } from './references.js';
import { applyRule } from './rules.js';
import { guardedDelete, sweepUnreferenced, type SweepHooks } from './sweep.js';

/**
 * One retention run: every district's policy, rule by rule (rows in a
 * transaction, then the bytes they released, each under its guard), then the
 * store-wide sweep of whatever else nothing refers to. What it removed is
 * reported per district and rule (retention_reports, the log, Settings).
 */

export type ReportRule = Rule | 'unreferenced';

export interface RuleReport {
  districtId: number | null;
  rule: ReportRule;
  items: number;
  files: number;
  bytes: number;
}

export interface RunOptions {
  now: Date;
  log?: Logger | undefined;
  hooks?: SweepHooks | undefined;
}

export async function runRetention(db: Db, blobs: BlobStore, opts: RunOptions): Promise<RuleReport[]> {
  const reports: RuleReport[] = [];
  const districts = await db.kysely.selectFrom('districts').select('id').orderBy('id').execute();
  for (const { id } of districts) {
    const policy = await getPolicy(db, id);
    for (const rule of RULES) {
      const released = await db.kysely.transaction().execute((trx) => applyRule(trx, rule, id, policy, opts.now));
      const { files, bytes } = await deleteReleased(db, blobs, released.keys, opts);
      if (released.items + files > 0) reports.push({ districtId: id, rule, items: released.items, files, bytes });
    }
  }
  const swept = await sweepUnreferenced(db, blobs, { now: opts.now, hooks: opts.hooks });
  if (swept.deleted > 0) reports.push({ districtId: null, rule: 'unreferenced', items: 0, files: swept.deleted, bytes: swept.bytesDeleted });
  const runAt = opts.now.toISOString();
  if (reports.length > 0) {
    await db.kysely
      .insertInto('retention_reports')
      .values(reports.map((r) => ({ run_at: runAt, district_id: r.districtId, rule: r.rule, items: r.items, files: r.files, bytes: r.bytes })))
      .execute();
  }
  for (const r of reports) opts.log?.info({ retention: r.rule, districtId: r.districtId, items: r.items, files: r.files, bytes: r.bytes }, 'retention removed');
  opts.log?.info({ runAt, files: reports.reduce((n, r) => n + r.files, 0), bytes: reports.reduce((n, r) => n + r.bytes, 0) }, 'retention run finished');
  return reports;
}

/** Deletes the released keys nothing else refers to; bytes counted from the rows, or asked of the store. */
async function deleteReleased(db: Db, blobs: BlobStore, keys: Map<string, number | undefined>, opts: RunOptions): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  const all = [...keys.keys()];
  for (let i = 0; i < all.length; i += 500) {
    const batch = all.slice(i, i + 500);
    const referenced = await referencedKeys(db.kysely, batch);
    for (const key of batch) {
      if (referenced.has(key)) continue;
      const size = keys.get(key) ?? (await storedSize(blobs, key));
      if ((await guardedDelete(db, blobs, key, opts.now, opts.hooks)) !== 'deleted') continue;
      files++;
      bytes += size ?? 0;
    }
  }
  return { files, bytes };
}

async function storedSize(blobs: BlobStore, key: string): Promise<number | undefined> {
  try {
    const r = await blobs.openReader(key);
    await r.close();
    return r.size;
  } catch (err) {
    if (err instanceof BlobNotFoundError) return undefined;
    throw err;
  }
}

/** A district's last run's report (Settings): what each rule removed, newest run only. */
export async function lastReport(db: Db, districtId: number): Promise<{ runAt: string; rules: RuleReport[] } | undefined> {
  const last = await db.kysely
    .selectFrom('retention_reports')
    .select('run_at')
    .where('district_id', '=', districtId)
    .orderBy('run_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!last) return undefined;
  const rows = await db.kysely.selectFrom('retention_reports').selectAll().where('district_id', '=', districtId).where('run_at', '=', last.run_at).orderBy('id').execute();
  return { runAt: last.run_at, rules: rows.map((r) => ({ districtId: r.district_id, rule: r.rule as ReportRule, items: r.items, files: r.files, bytes: Number(r.bytes) })) };
}
