import type { Db } from '../../db/db.js';
import { currentPhotos, photoSrc } from '../../photos/current.js';
import type { PhotoSrcs } from './avatar.js';

/**
 * The current photo of each of these people who has one, keyed by person id:
 * asked once per page for everyone on it (never once per row).
 */
export type FaceLookup = (districtId: number, personIds: readonly number[]) => Promise<Map<number, PhotoSrcs>>;

/** Faces from the photos module: its opaque, authorised URLs, one per size. */
export function photoFaces(db: Db): FaceLookup {
  return async (districtId, personIds) => {
    const refs = await currentPhotos(db, districtId, [...personIds]);
    return new Map([...refs].map(([id, ref]) => [id, { thumb: photoSrc(ref, 'thumb'), profile: photoSrc(ref, 'profile') }]));
  };
}
