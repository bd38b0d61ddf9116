import { LRUCache } from 'lru-cache';
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
  const cache = new LRUCache<string, Buffer>({ maxSize: opts.maxBytes, maxEntrySize: opts.maxItemBytes, sizeCalculation: (b) => b.length });
  return {
    ...store,
    async readAll(key) {
      const hit = cache.get(key);
      if (hit) return hit;
      const data = await store.readAll(key);
      // An empty blob has no size to count, and is cheap to read again.
      if (data.length > 0) cache.set(key, data);
      return data;
    },
    async delete(key) {
      cache.delete(key);
      await store.delete(key);
    },
  };
}
