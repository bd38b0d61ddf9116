import { LRUCache } from 'lru-cache';
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

export interface PhotoServer {
  /** One size of a photo by its URL key, only for the district it belongs to. */
  served(districtId: number, urlKey: string, size: PhotoSize): Promise<ServedPhoto | undefined>;
  /** Whether a version with this URL key exists in the district, without reading the image. */
  exists(districtId: number, urlKey: string): Promise<boolean>;
}

type SizeKeys = Readonly<Record<PhotoSize, string>>;

/**
 * Photos by URL key. What a key names never changes (a new photo is a new
 * key), so the lookup is kept for a few seconds: a list page asks for a
 * hundred thumbnails at once, often the same ones again. The only change a
 * kept entry can miss is a version pruned past the district's history in the
 * last `ttlMs`, whose bytes may then still be served for that long; a key that
 * does not exist is never kept.
 */
export function photoServer(db: Db, blobs: BlobStore, opts: { ttlMs: number; max: number } = { ttlMs: 5_000, max: 20_000 }): PhotoServer {
  const known = new LRUCache<string, SizeKeys>({ max: opts.max, ttl: opts.ttlMs });
  const sizeKeys = async (districtId: number, urlKey: string): Promise<SizeKeys | undefined> => {
    const key = `${districtId}/${urlKey}`;
    const hit = known.get(key);
    if (hit) return hit;
    const v = await versionByUrlKey(db, districtId, urlKey);
    if (!v) return undefined;
    const found = { thumb: v.thumb_key, profile: v.profile_key };
    known.set(key, found);
    return found;
  };
  return {
    async served(districtId, urlKey, size) {
      const keys = await sizeKeys(districtId, urlKey);
      if (!keys) return undefined;
      return { bytes: await blobs.readAll(keys[size]), contentType: SERVED_CONTENT_TYPE, etag: photoEtag(urlKey, size) };
    },
    exists: async (districtId, urlKey) => (await sizeKeys(districtId, urlKey)) !== undefined,
  };
}

export const photoEtag = (urlKey: string, size: PhotoSize): string => `"${urlKey}-${size}"`;
