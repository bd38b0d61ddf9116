import type { BlobStore } from './blobStore.js';

export interface ReadCacheOptions {
  /** Total bytes kept. */
  maxBytes: number;
  /** Larger blobs are read through and never kept (an original upload, a roster). */
  maxItemBytes: number;
}

/**
 * A blob store whose `readAll` keeps small blobs in memory, least recently
 * used dropped first. Safe without any invalidation because a key is the
 * SHA-256 of its bytes: what a key names never changes. It exists for the web
 * app, where a list page asks for a hundred thumbnails at once and each read
 * from disk is an open, a stat, a read and a close on libuv's thread pool.
 */
export function withReadCache(store: BlobStore, opts: ReadCacheOptions): BlobStore {
  const cache = new Map<string, Buffer>();
  let bytes = 0;
  const remember = (key: string, data: Buffer) => {
    if (data.length > opts.maxItemBytes || cache.has(key)) return;
    cache.set(key, data);
    bytes += data.length;
    for (const [k, v] of cache) {
      if (bytes <= opts.maxBytes) break;
      cache.delete(k);
      bytes -= v.length;
    }
  };
  return {
    ...store,
    async readAll(key) {
      const hit = cache.get(key);
      if (hit) {
        cache.delete(key);
        cache.set(key, hit);
        return hit;
      }
      const data = await store.readAll(key);
      remember(key, data);
      return data;
    },
  };
}
