import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BlobNotFoundError } from './blobStore.js';
import { createFsBlobStore } from './fsBlobStore.js';
import { withReadCache } from './readCache.js';

/** The cached bytes are proven by removing the file underneath: only a cache can still answer. */
describe('reading small blobs from memory', () => {
  let root: string;
  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'blob-cache-'));
  });
  after(() => fs.rm(root, { recursive: true, force: true }));

  const fileOf = (key: string) => path.join(root, 'sha256', key.slice(0, 2), key);

  test('a small blob read once is answered from memory; a large one always from the store', async () => {
    const store = createFsBlobStore(root);
    const cached = withReadCache(store, { maxBytes: 1024 * 1024, maxItemBytes: 10_000 });
    const small = await store.putBuffer(randomBytes(3_000));
    const large = await store.putBuffer(randomBytes(20_000));
    const smallBytes = await cached.readAll(small.key);
    await cached.readAll(large.key);
    await fs.rm(fileOf(small.key));
    await fs.rm(fileOf(large.key));
    assert.deepEqual(await cached.readAll(small.key), smallBytes);
    await assert.rejects(cached.readAll(large.key), BlobNotFoundError);
  });

  test('past its size the least recently read blob is dropped first', async () => {
    const store = createFsBlobStore(root);
    const cached = withReadCache(store, { maxBytes: 10_000, maxItemBytes: 10_000 });
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => store.putBuffer(randomBytes(4_000))));
    await cached.readAll(a!.key);
    await cached.readAll(b!.key);
    await cached.readAll(a!.key); // a is now the most recent
    await cached.readAll(c!.key); // 12,000 bytes: b goes
    for (const blob of [a, b, c]) await fs.rm(fileOf(blob!.key));
    assert.equal((await cached.readAll(a!.key)).length, 4_000);
    assert.equal((await cached.readAll(c!.key)).length, 4_000);
    await assert.rejects(cached.readAll(b!.key), BlobNotFoundError);
  });

  test('a blob the store does not have is still an error, and is not remembered', async () => {
    const cached = withReadCache(createFsBlobStore(root), { maxBytes: 10_000, maxItemBytes: 10_000 });
    await assert.rejects(cached.readAll('0'.repeat(64)), BlobNotFoundError);
  });

  test("a deleted blob is forgotten too, and the listing is the store's", async () => {
    const store = createFsBlobStore(root);
    const cached = withReadCache(store, { maxBytes: 10_000, maxItemBytes: 10_000 });
    const blob = await store.putBuffer(randomBytes(1_000));
    await cached.readAll(blob.key);
    await cached.delete(blob.key);
    await assert.rejects(cached.readAll(blob.key), BlobNotFoundError);
    for await (const info of cached.list()) assert.notEqual(info.key, blob.key);
  });
});
