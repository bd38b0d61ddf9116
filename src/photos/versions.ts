import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Db } from '../db/db.js';
import type { Database, PhotoVersionRow } from '../db/schema.js';
import type { PinnedKey } from '../retention/guards.js';
import { nowIso } from '../shared/time.js';
import { fingerprintColumns, type Fingerprint } from './samePicture.js';
import { decodeWarnings, encodeWarnings, type PhotoWarning } from './warnings.js';

/**
 * A person's photos over time. Every delivery that changes someone's face is
 * a version (original bytes plus the two sizes served); the person points at
 * one of them. Earlier versions are kept, up to a limit, so a mistake can be
 * reverted; delivering the same bytes again is that version, never a new one.
 */

/** How many versions a person keeps when nothing else is configured (the current one always stays). */
export const DEFAULT_KEEP_VERSIONS = 10;

/** The blobs of one normalised delivery, already in the blob store. */
export interface StoredPhoto {
  original: { key: string; sha256: string; size: number; pin?: string };
  profileKey: string;
  thumbKey: string;
  /** Pins the store took on sizes it wrote for this photo: the commit that refers to them releases them. */
  pins?: readonly PinnedKey[];
  /** What the quality checks found and the picture's fingerprint; null for photos stored before the checks. */
  quality: StoredQuality | null;
}

export interface StoredQuality extends Fingerprint {
  warnings: PhotoWarning[];
}

export interface NewVersion {
  districtId: number;
  personId: number;
  photo: StoredPhoto;
  /** The name it came under. */
  file: string;
  eventId: number | null;
  /** Which rule linked the name to the person. */
  matchRule: string;
  keepVersions: number;
}

/** What setting a photo did: a new version, the photo already shown, or an earlier version shown again. */
export type SetPhotoResult = 'new' | 'unchanged' | 'restored';

type Trx = Kysely<Database>;

export async function setPhoto(trx: Trx, v: NewVersion): Promise<SetPhotoResult> {
  const now = nowIso();
  const existing = await trx
    .selectFrom('photo_versions')
    .select('id')
    .where('person_id', '=', v.personId)
    .where('original_sha256', '=', v.photo.original.sha256)
    .executeTakeFirst();
  if (existing) {
    const current = await currentVersionId(trx, v.personId);
    if (current === existing.id) return 'unchanged';
    await pointAt(trx, v.districtId, v.personId, existing.id, now);
    return 'restored';
  }
  const inserted = await trx
    .insertInto('photo_versions')
    .values({
      district_id: v.districtId,
      person_id: v.personId,
      url_key: randomBytes(18).toString('base64url'),
      original_key: v.photo.original.key,
      original_sha256: v.photo.original.sha256,
      original_size: v.photo.original.size,
      profile_key: v.photo.profileKey,
      thumb_key: v.photo.thumbKey,
      file: v.file,
      event_id: v.eventId,
      match_rule: v.matchRule,
      created_at: now,
      warnings: encodeWarnings(v.photo.quality?.warnings ?? []),
      ...fingerprintColumns(v.photo.quality),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await pointAt(trx, v.districtId, v.personId, inserted.id, now);
  await prune(trx, v.personId, inserted.id, v.keepVersions);
  return 'new';
}

async function currentVersionId(trx: Trx, personId: number): Promise<number | undefined> {
  const row = await trx.selectFrom('person_photos').select('version_id').where('person_id', '=', personId).executeTakeFirst();
  return row?.version_id;
}

async function pointAt(trx: Trx, districtId: number, personId: number, versionId: number, at: string): Promise<void> {
  await trx
    .insertInto('person_photos')
    .values({ person_id: personId, district_id: districtId, version_id: versionId, updated_at: at })
    .onConflict((oc) => oc.column('person_id').doUpdateSet({ version_id: versionId, updated_at: at }))
    .execute();
}

/** Drops the oldest versions beyond the limit; the one just shown is never among them. */
async function prune(trx: Trx, personId: number, keepId: number, keep: number): Promise<void> {
  const ids = (await trx.selectFrom('photo_versions').select('id').where('person_id', '=', personId).orderBy('id', 'desc').execute()).map((r) => r.id);
  const drop = ids.slice(Math.max(1, keep)).filter((id) => id !== keepId);
  if (drop.length > 0) await trx.deleteFrom('photo_versions').where('id', 'in', drop).execute();
}

/** The version a person shows now, if any. */
export async function currentVersion(trx: Trx, personId: number): Promise<PhotoVersionRow | undefined> {
  return trx
    .selectFrom('person_photos as c')
    .innerJoin('photo_versions as v', 'v.id', 'c.version_id')
    .selectAll('v')
    .where('c.person_id', '=', personId)
    .executeTakeFirst();
}

/** The person shows no photo any more; their versions stay for a revert. */
export async function removeCurrent(trx: Trx, personId: number): Promise<void> {
  await trx.deleteFrom('person_photos').where('person_id', '=', personId).execute();
}

/**
 * Goes back one version: the newest one older than the photo shown now, or,
 * when the photo was removed, the newest one there is. Undefined when there is
 * nothing to go back to.
 */
export async function revertPhoto(db: Db, districtId: number, personId: number): Promise<PhotoVersionRow | undefined> {
  return db.kysely.transaction().execute(async (trx) => {
    const current = await currentVersionId(trx, personId);
    let q = trx.selectFrom('photo_versions').selectAll().where('district_id', '=', districtId).where('person_id', '=', personId);
    if (current !== undefined) q = q.where('id', '<', current);
    const target = await q.orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (!target) return undefined;
    await pointAt(trx, districtId, personId, target.id, nowIso());
    return target;
  });
}

/** A version as the profile's photo history lists it. */
export interface KeptVersion {
  id: number;
  /** The opaque key of its URLs (see current.ts). */
  urlKey: string;
  /** The name it came under. */
  file: string;
  createdAt: string;
  /** Which rule linked the name to the person (`exact`, `loose`, `assigned`, ...). */
  matchRule: string;
  shownNow: boolean;
  /** What the quality checks found in it. */
  warnings: PhotoWarning[];
}

/** A person's kept versions, newest first. */
export async function keptVersions(db: Db, districtId: number, personId: number): Promise<KeptVersion[]> {
  const rows = await db.kysely
    .selectFrom('photo_versions as v')
    .leftJoin('person_photos as c', (j) => j.onRef('c.version_id', '=', 'v.id').onRef('c.person_id', '=', 'v.person_id'))
    .select(['v.id', 'v.url_key', 'v.file', 'v.created_at', 'v.match_rule', 'v.warnings', 'c.person_id as shown'])
    .where('v.district_id', '=', districtId)
    .where('v.person_id', '=', personId)
    .orderBy('v.id', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    urlKey: r.url_key,
    file: r.file,
    createdAt: r.created_at,
    matchRule: r.match_rule,
    shownNow: r.shown !== null,
    warnings: decodeWarnings(r.warnings),
  }));
}

/**
 * Shows one of the person's kept versions (an admin choosing from the photo
 * history). Undefined when it is not theirs, or no longer kept.
 */
export async function showVersion(db: Db, districtId: number, personId: number, versionId: number): Promise<PhotoVersionRow | undefined> {
  return db.kysely.transaction().execute(async (trx) => {
    const target = await trx
      .selectFrom('photo_versions')
      .selectAll()
      .where('id', '=', versionId)
      .where('district_id', '=', districtId)
      .where('person_id', '=', personId)
      .executeTakeFirst();
    if (target) await pointAt(trx, districtId, personId, target.id, nowIso());
    return target;
  });
}

/** How many versions a person has kept (the current one included). */
export async function versionCount(db: Db, personId: number): Promise<number> {
  const r = await db.kysely.selectFrom('photo_versions').select((eb) => eb.fn.countAll().as('n')).where('person_id', '=', personId).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** A version by the key in its URL, only within the asking district (another district's key is not found). */
export async function versionByUrlKey(db: Db, districtId: number, urlKey: string): Promise<PhotoVersionRow | undefined> {
  return db.kysely.selectFrom('photo_versions').selectAll().where('district_id', '=', districtId).where('url_key', '=', urlKey).executeTakeFirst();
}
