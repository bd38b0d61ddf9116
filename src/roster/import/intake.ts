import type { Logger } from 'pino';
import type { BlobStore } from '../../blobs/blobStore.js';
import type { Db } from '../../db/db.js';
import { getDistrictById } from '../../districts/districts.js';
import { hasNewerEvent, type ClaimedEvent } from '../../intake/queue.js';
import { RetryLater, type Decision, type IntakeHandler } from '../../intake/worker.js';
import { blobInput, type FindDataFile } from '../read/input.js';
import { commitPlan, parseForDistrict, planForDistrict, planSignature, recordRejection, rejectedResult, type ImportMeta } from './importer.js';
import { countsOf, importedMessage } from './plan.js';

export interface RosterIntakeOptions {
  db: Db;
  blobs: BlobStore;
  log: Logger;
  /** A file in the district's data/ folder now (OneRoster's users.csv reads orgs.csv, manifest.csv and roles.csv beside it). */
  findDataFile: FindDataFile;
  /** Seconds a file must sit unchanged before it is read (`--roster-settle`). */
  settleSeconds: number;
  /** After an import that created or reactivated people: photos waiting for them can be linked now. */
  onPeopleChanged?: ((districtId: number) => void | Promise<void>) | undefined;
}

/** Roster files are big and rare: one at a time per process keeps memory bounded and imports in order. */
const CONCURRENCY = 1;
/** A 100,000-row file takes seconds; the worker renews the lease while it runs. */
const LEASE_SECONDS = 120;

/**
 * The data/ folder's intake. Reading and comparing happen in decide(),
 * outside any transaction; the changes are applied in the transaction that
 * records the event's outcome, after checking that the district's people did
 * not change in between. If they did, RetryLater makes the worker read the
 * file again, without counting that as a failed attempt.
 */
export function createRosterHandler(opts: RosterIntakeOptions): IntakeHandler {
  const { db, blobs } = opts;

  async function decide(e: ClaimedEvent): Promise<Decision> {
    if (e.action === 'delete') {
      return { outcome: 'removed', message: `${e.file} was deleted from data/. Nobody changes: people stay as the last import left them.` };
    }
    if (await hasNewerEvent(db, e)) {
      return { outcome: 'superseded', message: `A newer ${e.file} arrived before this one was imported; only the newest is imported.` };
    }
    if (!e.blob_key) return { outcome: 'rejected', message: `${e.file} has no stored content to import. Upload it again.` };
    const meta: ImportMeta = { districtId: e.district_id, file: e.file, source: e.source, eventId: e.id, sha256: e.sha256 };
    const { slug } = await getDistrictById(db, e.district_id);
    // The report's command hints name this district and file, ready to copy.
    const named = (t: string) => t.replaceAll('<district>', slug).replaceAll('<file>', e.file);
    const parsed = await parseForDistrict(db, e.district_id, blobInput(blobs, opts.findDataFile, e.district_id, e.file, e.blob_key));
    if (!parsed.ok) {
      const message = named(rejectedResult(e.file, parsed.rejection).message);
      return { outcome: 'rejected', message, apply: (trx) => recordRejection(trx, meta, message, parsed.rejection) };
    }
    const plan = await planForDistrict(db.kysely, e.district_id, parsed.parsed, parsed.settings, {});
    const signature = planSignature(plan);
    const message = named(importedMessage(e.file, plan, { schools: parsed.parsed.schools.length }));
    const counts = countsOf(plan);
    return {
      outcome: 'imported',
      message,
      async apply(trx) {
        const now = await planForDistrict(trx, e.district_id, parsed.parsed, parsed.settings, {});
        if (planSignature(now) !== signature) throw new RetryLater(`the district's people changed while ${e.file} was being read; reading it again`);
        await commitPlan(trx, meta, parsed.parsed, now, message);
      },
      async afterCommit() {
        opts.log.info({ district: e.district_id, file: e.file, event: e.id, ...counts }, 'roster imported');
        if (opts.onPeopleChanged && counts.created + counts.reactivated > 0) await opts.onPeopleChanged(e.district_id);
      },
    };
  }

  return { folder: 'data', concurrency: CONCURRENCY, settleSeconds: opts.settleSeconds, leaseSeconds: LEASE_SECONDS, decide };
}
