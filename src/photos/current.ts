import type { Db } from '../db/db.js';
import { decodeWarnings, type PhotoWarning } from './warnings.js';

/**
 * A person's current photo as pages and the API refer to it. The URL is
 * opaque (a random key per version, nothing about the person) and changes
 * whenever the photo changes, so browsers may cache it for a long time.
 */
export interface PhotoRef {
  url: string;
  /** SHA-256 (hex) of the file as uploaded. */
  sha256: string;
  /** When this photo became the person's current one. */
  updatedAt: string;
  /** What the quality checks found in it (CONTRACT.md's codes); empty when nothing. */
  warnings: PhotoWarning[];
}

export type PhotoSize = 'thumb' | 'profile';

export const PHOTO_URL_PREFIX = '/api/v1/photos/';

export const photoUrl = (urlKey: string): string => `${PHOTO_URL_PREFIX}${urlKey}`;

/** The `<img src>` for one size of the photo. */
export function photoSrc(ref: Pick<PhotoRef, 'url'>, size: PhotoSize): string {
  return `${ref.url}?size=${size}`;
}

/** The current photo of each of these people who has one, keyed by person id (one query, for lists). */
export async function currentPhotos(db: Db, districtId: number, personIds: number[]): Promise<Map<number, PhotoRef>> {
  const ids = [...new Set(personIds)];
  const out = new Map<number, PhotoRef>();
  if (ids.length === 0) return out;
  // Chunked: a page of a thousand people stays well under both databases' parameter limits.
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.kysely
      .selectFrom('person_photos as c')
      .innerJoin('photo_versions as v', 'v.id', 'c.version_id')
      .select(['c.person_id', 'c.updated_at', 'v.url_key', 'v.original_sha256', 'v.warnings'])
      .where('c.district_id', '=', districtId)
      .where('c.person_id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of rows) {
      out.set(r.person_id, { url: photoUrl(r.url_key), sha256: r.original_sha256, updatedAt: r.updated_at, warnings: decodeWarnings(r.warnings) });
    }
  }
  return out;
}
