import type { Kysely } from 'kysely';
import { writeAudit, type ChangedBy } from '../audit/audit.js';
import type { BlobStore } from '../blobs/blobStore.js';
import { inTransaction, type Db } from '../db/db.js';
import type { Database } from '../db/schema.js';
import { looseLocalIdKey } from '../localId/localId.js';
import { classifyPhotoName } from '../photos/fileName.js';
import { LanyardError } from '../shared/errors.js';
import { guardedDelete } from './sweep.js';

/**
 * Erasing a person on request (a parent, a district, SOPPA): every photo
 * version, original, waiting photo and drop-box photo of one Local ID, rows
 * and stored bytes. History stays as rows that no longer point at bytes (who
 * uploaded what when); the erasure itself is audited without the photo, and
 * remembered, so the profile says so if the person is or comes back in the
 * roster. New photos of them are welcome afterwards.
 */

/** What an erase finds for a Local ID: said before anything is removed, and counted after. */
export interface ErasePlan {
  localId: string;
  /** "First Last", when the roster has the person. */
  name: string | null;
  personId: number | null;
  versions: number;
  waitingPhotos: number;
  /** Drop-box files in idphotos named for the Local ID. */
  files: string[];
  /** Intake events whose stored bytes are theirs (the rows stay, the bytes go). */
  events: number[];
  /** Stored blobs those rows point at. */
  keys: string[];
}

export interface EraseReport extends ErasePlan {
  /** Stored files deleted now. */
  deleted: number;
  /** Bytes also in someone else's photo or file: theirs, so kept. */
  shared: number;
  /** Bytes an upload is committing right now (the same file again): the sweep removes them if nothing refers to them after. */
  pinned: number;
}

type Trx = Kysely<Database>;

const isTheirs = (key: string, localId: string | null): boolean => localId !== null && looseLocalIdKey(localId) === key;

function namedFor(file: string, key: string): boolean {
  // A package's image is recorded as `package.zip/folder/100101.jpg`: its last part is the name.
  const name = classifyPhotoName(file.slice(file.lastIndexOf('/') + 1));
  return name.kind === 'photo' && looseLocalIdKey(name.localId) === key;
}

async function findStored(trx: Trx, districtId: number, localId: string): Promise<ErasePlan> {
  const key = looseLocalIdKey(localId);
  const person = await trx
    .selectFrom('people')
    .select(['id', 'first_name', 'last_name', 'local_id'])
    .where('district_id', '=', districtId)
    .where('local_id_key', '=', key)
    .orderBy('id')
    .execute()
    .then((rows) => rows.find((r) => r.local_id === localId) ?? (rows.length === 1 ? rows[0] : undefined));
  const versions = person
    ? await trx.selectFrom('photo_versions').select(['original_key', 'profile_key', 'thumb_key']).where('person_id', '=', person.id).execute()
    : [];
  const waiting = await trx
    .selectFrom('waiting_photos')
    .select(['original_key', 'profile_key', 'thumb_key'])
    .where('district_id', '=', districtId)
    .where('local_id_key', '=', key)
    .execute();
  const files = (
    await trx.selectFrom('dropbox_files').select(['name', 'blob_key']).where('district_id', '=', districtId).where('folder', '=', 'idphotos').execute()
  ).filter((f) => namedFor(f.name, key));
  const keys = new Set<string>([
    ...versions.flatMap((v) => [v.original_key, v.profile_key, v.thumb_key]),
    ...waiting.flatMap((w) => [w.original_key, w.profile_key, w.thumb_key]),
    ...files.map((f) => f.blob_key),
  ]);
  // Every idphotos event that holds their bytes: by name, by the person it was linked to, or by a key found above.
  const events = (
    await trx
      .selectFrom('intake_events')
      .select(['id', 'file', 'local_id', 'blob_key'])
      .where('district_id', '=', districtId)
      .where('folder', '=', 'idphotos')
      .where('blob_key', 'is not', null)
      .execute()
  ).filter((e) => namedFor(e.file, key) || isTheirs(key, e.local_id) || (e.local_id === null && keys.has(e.blob_key ?? '')));
  for (const e of events) if (e.blob_key && !e.file.toLowerCase().endsWith('.zip')) keys.add(e.blob_key);
  return {
    localId,
    name: person ? `${person.first_name} ${person.last_name}` : null,
    personId: person?.id ?? null,
    versions: versions.length,
    waitingPhotos: waiting.length,
    files: files.map((f) => f.name),
    events: events.filter((e) => !e.file.toLowerCase().endsWith('.zip')).map((e) => e.id),
    keys: [...keys].filter((k) => k !== ''),
  };
}

/** What `erase` would remove, without removing anything (the CLI's refusal without --yes says it). */
export async function planErase(db: Db, districtId: number, localId: string): Promise<ErasePlan> {
  return findStored(db.kysely, districtId, localId);
}

export const nothingStored = (p: ErasePlan): boolean => p.versions + p.waitingPhotos + p.files.length + p.events.length === 0;

/**
 * Removes the rows in one transaction (with the audit entry and the erasure
 * record), then the bytes, each under its guard: bytes someone else's row
 * also points at (the same photo for two people) stay theirs.
 */
export async function erasePerson(
  db: Db,
  blobs: BlobStore,
  input: { districtId: number; localId: string; by: ChangedBy; now?: Date },
): Promise<EraseReport> {
  const now = input.now ?? new Date();
  const plan = await inTransaction(db, async (tx) => {
    const trx = tx.kysely;
    const p = await findStored(trx, input.districtId, input.localId);
    if (nothingStored(p) && p.personId === null) {
      throw new LanyardError('not-found', `Nothing is stored for Local ID ${input.localId}: nobody in the roster, no photo and no file has it.`);
    }
    const at = now.toISOString();
    if (p.personId !== null) {
      await trx.deleteFrom('person_photos').where('person_id', '=', p.personId).execute();
      await trx.deleteFrom('photo_versions').where('person_id', '=', p.personId).execute();
    }
    await trx.deleteFrom('waiting_photos').where('district_id', '=', input.districtId).where('local_id_key', '=', looseLocalIdKey(input.localId)).execute();
    if (p.files.length > 0) {
      await trx.deleteFrom('dropbox_files').where('district_id', '=', input.districtId).where('folder', '=', 'idphotos').where('name', 'in', p.files).execute();
    }
    if (p.events.length > 0) {
      // History stays: who uploaded which name when. An upload not yet processed ends here, said why.
      await trx.updateTable('intake_events').set({ blob_key: null }).where('id', 'in', p.events).execute();
      await trx
        .updateTable('intake_events')
        .set({ outcome: 'removed', message: `Erased on request (${input.localId}) before it was processed.`, processed_at: at, claimed_until: null })
        .where('id', 'in', p.events)
        .where('outcome', '=', 'received')
        .execute();
    }
    await trx
      .insertInto('erasures')
      .values({ district_id: input.districtId, local_id_key: looseLocalIdKey(input.localId), local_id: input.localId, erased_at: at, erased_by: input.by.actor })
      .onConflict((oc) => oc.columns(['district_id', 'local_id_key']).doUpdateSet({ local_id: input.localId, erased_at: at, erased_by: input.by.actor }))
      .execute();
    await writeAudit(trx, {
      action: 'person.erased',
      districtId: input.districtId,
      actor: input.by.actor,
      address: input.by.address,
      // Counts and names only: the audit log must not become another copy of the photo.
      detail: { localId: input.localId, versions: p.versions, waitingPhotos: p.waitingPhotos, files: p.files.length, storedFiles: p.keys.length },
    });
    return p;
  });
  const report: EraseReport = { ...plan, deleted: 0, shared: 0, pinned: 0 };
  for (const key of plan.keys) {
    const r = await guardedDelete(db, blobs, key, now);
    if (r === 'deleted') report.deleted++;
    else if (r === 'referenced') report.shared++;
    else report.pinned++;
  }
  return report;
}

/** When a Local ID's photos were erased, for the profile. */
export async function erasureOf(db: Db, districtId: number, localId: string): Promise<{ erasedAt: string; erasedBy: string } | undefined> {
  const r = await db.kysely
    .selectFrom('erasures')
    .select(['erased_at', 'erased_by'])
    .where('district_id', '=', districtId)
    .where('local_id_key', '=', looseLocalIdKey(localId))
    .executeTakeFirst();
  return r && { erasedAt: r.erased_at, erasedBy: r.erased_by };
}
