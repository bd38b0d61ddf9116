import type { Kysely } from 'kysely';
import type { Db } from '../db/db.js';
import type { Database, WaitingPhotoRow } from '../db/schema.js';
import { looseLocalIdKey } from '../localId/localId.js';
import { matchPerson } from '../people/people.js';
import { nowIso } from '../shared/time.js';
import { DEFAULT_KEEP_VERSIONS, setPhoto, type StoredPhoto } from './versions.js';
import { decodeWarnings, encodeWarnings } from './warnings.js';

/**
 * Photos whose Local ID nobody in the district has yet (the photographer was
 * faster than the roster). They are kept normalised, one per file name, and
 * linked the moment a roster import brings the person.
 */

type Trx = Kysely<Database>;

export interface WaitingPhoto {
  districtId: number;
  file: string;
  localId: string;
  photo: StoredPhoto;
  eventId: number | null;
}

/** A newer delivery under the same name replaces what waited under it. Returns the waiting row's id. */
export async function keepWaiting(trx: Trx, w: WaitingPhoto): Promise<number> {
  await dropWaiting(trx, w.districtId, w.file);
  const row = await trx
    .insertInto('waiting_photos')
    .values({
      district_id: w.districtId,
      file: w.file,
      local_id: w.localId,
      local_id_key: looseLocalIdKey(w.localId),
      original_key: w.photo.original.key,
      original_sha256: w.photo.original.sha256,
      original_size: w.photo.original.size,
      profile_key: w.photo.profileKey,
      thumb_key: w.photo.thumbKey,
      event_id: w.eventId,
      created_at: nowIso(),
      warnings: encodeWarnings(w.photo.quality?.warnings ?? []),
      dhash: w.photo.quality?.dhash ?? null,
      colour: w.photo.quality?.colour ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Whatever waited under this name (the file was deleted, or a newer delivery found its person). */
export async function dropWaiting(trx: Trx, districtId: number, file: string): Promise<number> {
  const res = await trx.deleteFrom('waiting_photos').where('district_id', '=', districtId).where('file', '=', file).executeTakeFirst();
  return Number(res.numDeletedRows);
}

export interface LinkOptions {
  keepVersions?: number;
}

/**
 * Links every waiting photo of the district whose person now exists (called
 * after a roster import). Oldest first, so when several waited for one person
 * the latest delivery is what they show. Returns how many were linked.
 */
export async function linkWaitingPhotos(services: { db: Db }, districtId: number, opts: LinkOptions = {}): Promise<number> {
  // Only those someone now shares a loose key with: an exact match always does too.
  const rows = await services.db.kysely
    .selectFrom('waiting_photos as w')
    .selectAll('w')
    .where('w.district_id', '=', districtId)
    .where(({ exists, selectFrom }) =>
      exists(selectFrom('people as p').select('p.id').whereRef('p.district_id', '=', 'w.district_id').whereRef('p.local_id_key', '=', 'w.local_id_key')),
    )
    .orderBy('w.id')
    .execute();
  let linked = 0;
  for (const row of rows) if (await linkOne(services.db, row, opts)) linked++;
  return linked;
}

/** Tries one waiting photo again (right after it was stored, in case its person arrived meanwhile). */
export async function linkWaitingPhoto(db: Db, waitingId: number, opts: LinkOptions = {}): Promise<boolean> {
  const row = await db.kysely.selectFrom('waiting_photos').selectAll().where('id', '=', waitingId).executeTakeFirst();
  return row ? linkOne(db, row, opts) : false;
}

async function linkOne(db: Db, row: WaitingPhotoRow, opts: LinkOptions): Promise<boolean> {
  return db.kysely.transaction().execute(async (trx) => {
    const match = await matchPerson(trx, row.district_id, row.local_id);
    if (match.kind !== 'matched') return false;
    // Gone already: another node linked it first.
    const res = await trx.deleteFrom('waiting_photos').where('id', '=', row.id).executeTakeFirst();
    if (Number(res.numDeletedRows) !== 1) return false;
    await setPhoto(trx, {
      districtId: row.district_id,
      personId: match.person.id,
      photo: {
        original: { key: row.original_key, sha256: row.original_sha256, size: row.original_size },
        profileKey: row.profile_key,
        thumbKey: row.thumb_key,
        quality: row.dhash === null || row.colour === null ? null : { warnings: decodeWarnings(row.warnings), dhash: row.dhash, colour: row.colour },
      },
      file: row.file,
      eventId: row.event_id,
      matchRule: `${match.rule} (linked after a roster import)`,
      keepVersions: opts.keepVersions ?? DEFAULT_KEEP_VERSIONS,
    });
    return true;
  });
}
