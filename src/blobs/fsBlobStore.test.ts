import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createFsBlobStore } from './fsBlobStore.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('the file-system blob store', () => {
  let root: string;
  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'blobs-'));
  });
  after(() => fs.rm(root, { recursive: true, force: true }));

  test('sequential writes in 32 KB pieces come back byte for byte, keyed by their SHA-256', async () => {
    const store = createFsBlobStore(root);
    const data = randomBytes(5 * 1024 * 1024 + 123);
    const w = await store.createWriter();
    const pending: Promise<void>[] = [];
    for (let off = 0; off < data.length; off += 32768) pending.push(w.write(data.subarray(off, off + 32768), off));
    await Promise.all(pending);
    const blob = await w.commit();
    assert.equal(blob.sha256, sha(data));
    assert.equal(blob.size, data.length);
    assert.deepEqual(await store.readAll(blob.key), data);
  });

  test('out-of-order and overlapping writes still give the right bytes and hash', async () => {
    const store = createFsBlobStore(root);
    const data = randomBytes(3 * 1024 * 1024);
    const w = await store.createWriter();
    const half = data.length / 2;
    await w.write(data.subarray(half), half);
    await w.write(Buffer.alloc(1000, 7), 10);
    await w.write(data.subarray(0, half), 0);
    const blob = await w.commit();
    assert.equal(blob.sha256, sha(data));
    const r = await store.openReader(blob.key);
    assert.deepEqual(await r.read(half - 5, 10), data.subarray(half - 5, half + 5));
    assert.equal((await r.read(data.length, 10)).length, 0);
    await r.close();
  });

  test('an aborted writer leaves nothing behind, and what a crashed one left is swept', async () => {
    const store = createFsBlobStore(root);
    const w = await store.createWriter();
    await w.write(randomBytes(2 * 1024 * 1024), 0);
    await w.abort();
    assert.deepEqual(await fs.readdir(path.join(root, 'incoming')), []);
    // What a process killed mid-upload leaves behind.
    await fs.writeFile(path.join(root, 'incoming', 'killed-mid-upload.part'), randomBytes(10));
    assert.equal(await store.sweepIncomplete(), 1);
    assert.deepEqual(await fs.readdir(path.join(root, 'incoming')), []);
  });

  test('an incomplete file left behind a key by a power cut is replaced, never reused', async () => {
    const store = createFsBlobStore(root);
    const data = randomBytes(70 * 1024);
    const key = sha(data);
    await store.createWriter().then((w) => w.abort());
    await fs.writeFile(path.join(root, 'sha256', key.slice(0, 2), key), data.subarray(0, 4096));
    const w = await store.createWriter();
    await w.write(data, 0);
    assert.equal((await w.commit()).key, key);
    assert.deepEqual(await store.readAll(key), data);
  });

  test('an empty upload is stored as an empty blob', async () => {
    const store = createFsBlobStore(root);
    const w = await store.createWriter();
    const blob = await w.commit();
    assert.equal(blob.size, 0);
    assert.equal(blob.sha256, sha(Buffer.alloc(0)));
    assert.equal((await store.readAll(blob.key)).length, 0);
  });

  test('the same bytes twice are stored once', async () => {
    const store = createFsBlobStore(root);
    const data = randomBytes(1000);
    const a = await store.putBuffer(data);
    const w = await store.createWriter();
    await w.write(data, 0);
    const b = await w.commit();
    assert.equal(a.key, b.key);
    assert.equal(await store.exists(a.key), true);
  });
});
