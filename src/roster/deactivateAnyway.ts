import type { BlobStore } from '../blobs/blobStore.js';
import type { Db } from '../db/db.js';
import { blobInput } from './blobInput.js';
import { findImport, hasLaterImport } from './history.js';
import { importRoster, type ImportResult } from './importer.js';

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

