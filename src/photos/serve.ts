import type { BlobStore } from '../blobs/blobStore.js';
import type { Db } from '../db/db.js';
import type { PhotoSize } from './current.js';
import { SERVED_CONTENT_TYPE } from './normalise.js';
import { versionByUrlKey } from './versions.js';

export const PHOTO_SIZES: readonly PhotoSize[] = ['thumb', 'profile'];

export interface ServedPhoto {
  bytes: Buffer;
  contentType: typeof SERVED_CONTENT_TYPE;
  /** Strong validator: a URL key names one version, and a version's images never change. */
  etag: string;
}

/** One size of a photo by its URL key, only for the district it belongs to. */
export async function servedPhoto(db: Db, blobs: BlobStore, districtId: number, urlKey: string, size: PhotoSize): Promise<ServedPhoto | undefined> {
  const v = await versionByUrlKey(db, districtId, urlKey);
  if (!v) return undefined;
  const key = size === 'thumb' ? v.thumb_key : v.profile_key;
  return { bytes: await blobs.readAll(key), contentType: SERVED_CONTENT_TYPE, etag: photoEtag(urlKey, size) };
}

export const photoEtag = (urlKey: string, size: PhotoSize): string => `"${urlKey}-${size}"`;

/** Whether a version with this URL key exists in the district, without reading the image. */
export async function photoExists(db: Db, districtId: number, urlKey: string): Promise<boolean> {
  return (await versionByUrlKey(db, districtId, urlKey)) !== undefined;
}
