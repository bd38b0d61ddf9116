import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BlobNotFoundError, type BlobInfo, type BlobPinner, type BlobStore, type BlobWriter } from '../../src/blobs/blobStore.js';
import { createFsBlobStore } from '../../src/blobs/fsBlobStore.js';
import { createS3BlobStore, type S3BlobStore } from '../../src/blobs/s3BlobStore.js';
import { client, ensureBucket, keysUnder, removePrefix, storeOptions, testS3, uniquePrefix, uploadsUnder } from '../helpers/s3.js';

/**
 * One contract, two stores: every case below runs on the file store and on
 * the S3 store against a real Ceph RADOS Gateway (scripts/ceph-rgw.sh). What
 * only one store can do (or refuses) is tested after, store by store.
 */

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Subject {
  store: BlobStore;
  /** A store over the same storage that takes every leftover for abandoned (the next start after a crash). */
  sweeper(): BlobStore;
  /** A store over the same storage made with a pinner, as app/services.ts makes it. */
  pinned(pinner: BlobPinner): BlobStore;
  /** Leftovers of unfinished writers in the storage itself. */
  leftovers(): Promise<number>;
  /** The most a writer holds in memory when its write() resolves, besides what the client has in flight. */
  writerBound: number;
  /** What the store stores at a time (a multipart part, a disk chunk). */
  partBytes: number;
  dispose(): Promise<void>;
}

async function fileSubject(): Promise<Subject> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'blob-contract-'));
  const store = createFsBlobStore(root);
  return {
    store,
    sweeper: () => createFsBlobStore(root),
    pinned: (pinner) => createFsBlobStore(root, pinner),
    leftovers: async () => (await fs.readdir(path.join(root, 'incoming'))).length,
    // 4 queued 1 MiB chunks and the one being filled.
    writerBound: 5 * MiB,
    partBytes: MiB,
    dispose: () => fs.rm(root, { recursive: true, force: true }),
  };
}

async function s3Subject(): Promise<Subject> {
  const s = testS3();
  const c = client(s);
  await ensureBucket(c, s.bucket);
  const prefix = uniquePrefix('contract');
  // S3's smallest part, so the multi-part cases move less data; a page of 3 keys, so listing pages.
  const opts = { ...storeOptions(s, prefix), partBytes: 5 * MiB, listPageSize: 3 };
  const opened: S3BlobStore[] = [];
  const open = (more: Partial<typeof opts> & { incompleteAgeMs?: number } = {}) => {
    const st = createS3BlobStore({ ...opts, ...more });
    opened.push(st);
    return st;
  };
  return {
    store: open(),
    sweeper: () => open({ incompleteAgeMs: 0 }),
    pinned: (pinner) => open({ pinner }),
    leftovers: async () => (await uploadsUnder(c, s.bucket, prefix)).length + (await keysUnder(c, s.bucket, `${prefix}incoming/`)).length,
    // Two parts uploading and the one being filled.
    writerBound: 3 * 5 * MiB,
    partBytes: 5 * MiB,
    dispose: async () => {
      await removePrefix(c, s.bucket, prefix);
      for (const st of opened) st.close();
      c.destroy();
    },
  };
}

/** Writes like OpenSSH's sftp: 32 KB requests, up to 64 unanswered. Returns the most the writer held when a write was answered. */
async function pipelined(w: BlobWriter, data: Buffer, start = 0): Promise<number> {
  const piece = 32 * 1024;
  const inFlight = new Set<Promise<void>>();
  let most = 0;
  for (let off = start; off < data.length; off += piece) {
    const p: Promise<void> = w.write(data.subarray(off, off + piece), off).then(() => {
      most = Math.max(most, w.bufferedBytes);
      inFlight.delete(p);
    });
    inFlight.add(p);
    if (inFlight.size >= 64) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return most;
}

/** Writes `bytes` a MiB at a time, waiting for each answer: when it returns, most of it has reached storage. */
async function streamOut(w: BlobWriter, bytes: number): Promise<Buffer> {
  const data = randomBytes(bytes);
  for (let off = 0; off < bytes; off += MiB) await w.write(data.subarray(off, off + MiB), off);
  return data;
}

async function collect(it: AsyncIterable<BlobInfo>): Promise<BlobInfo[]> {
  const out: BlobInfo[] = [];
  for await (const b of it) out.push(b);
  return out;
}

function contract(name: string, make: () => Promise<Subject>) {
  describe(`BlobStore contract: ${name}`, () => {
    let s: Subject;
    before(async () => {
      s = await make();
    });
    after(() => s?.dispose());

    test('a store made with a pinner pins every key before it writes the bytes (when they are there already too) and hands back the pin', async () => {
      const calls: Array<{ key: string; there: boolean }> = [];
      const store = s.pinned(async (keys) => {
        const tokens: string[] = [];
        for (const key of keys) {
          calls.push({ key, there: await s.store.exists(key) });
          tokens.push(`pin-${calls.length}`);
        }
        return tokens;
      });
      const small = randomBytes(4096);
      const put = await store.putBuffer(small);
      assert.deepEqual(calls, [{ key: sha(small), there: false }], 'pinned before the bytes were written');
      assert.equal(put.pin, 'pin-1');
      // More than a part: the multipart path on S3, chunks on disk.
      const large = randomBytes(s.partBytes + 4096);
      const w = await store.createWriter();
      await pipelined(w, large);
      const committed = await w.commit();
      assert.deepEqual(calls[1], { key: sha(large), there: false });
      assert.equal(committed.pin, 'pin-2');
      assert.deepEqual(await store.readAll(committed.key), large);
      // The same bytes again: pinned again (a sweep may be about to delete them), whether there or just deleted.
      await store.putBuffer(small);
      assert.deepEqual(calls[2], { key: sha(small), there: true });
      await s.store.delete(put.key);
      const again = await store.putBuffer(small);
      assert.deepEqual(calls[3], { key: sha(small), there: false });
      assert.equal(again.pin, 'pin-4');
      assert.deepEqual(await s.store.readAll(put.key), small, 'written again');
      // Without a pinner, no pin.
      assert.equal((await s.store.putBuffer(small)).pin, undefined);
    });

    test('several buffers stored at once are pinned in one call, before any is written, and come back in order', async () => {
      const batches: string[][] = [];
      const store = s.pinned(async (keys) => {
        assert.deepEqual(await Promise.all(keys.map((k) => s.store.exists(k))), keys.map(() => false), 'pinned before the bytes were written');
        batches.push([...keys]);
        return keys.map((k) => `pin-${k.slice(0, 8)}`);
      });
      const profile = randomBytes(3000);
      const thumb = randomBytes(700);
      const [a, b] = await store.putBuffers([profile, thumb]);
      assert.deepEqual(batches, [[sha(profile), sha(thumb)]]);
      assert.deepEqual([a?.key, a?.pin, b?.key, b?.pin], [sha(profile), `pin-${sha(profile).slice(0, 8)}`, sha(thumb), `pin-${sha(thumb).slice(0, 8)}`]);
      assert.deepEqual(await store.readAll(sha(profile)), profile);
      assert.deepEqual(await store.readAll(sha(thumb)), thumb);
      // A pinner that fails: none of them is stored.
      const failing = s.pinned(async () => {
        throw new Error('database unavailable');
      });
      const lost = randomBytes(900);
      await assert.rejects(failing.putBuffers([lost, randomBytes(800)]), /database unavailable/);
      assert.equal(await s.store.exists(sha(lost)), false);
    });

    test('writes in order come back byte for byte, keyed by their SHA-256', async () => {
      const data = randomBytes(5 * MiB + 123);
      const w = await s.store.createWriter();
      await pipelined(w, data);
      const blob = await w.commit();
      assert.deepEqual(blob, { key: sha(data), sha256: sha(data), size: data.length });
      assert.deepEqual(await s.store.readAll(blob.key), data);
      assert.equal(await s.leftovers(), 0);
    });

    test('out-of-order and overlapping writes within a part give the right bytes and hash', async () => {
      const data = randomBytes(3 * MiB);
      const w = await s.store.createWriter();
      const half = data.length / 2;
      await w.write(data.subarray(half), half);
      await w.write(Buffer.alloc(1000, 7), 10);
      await w.write(data.subarray(0, half), 0);
      const blob = await w.commit();
      assert.equal(blob.sha256, sha(data));
      assert.deepEqual(await s.store.readAll(blob.key), data);
    });

    test('out-of-order writes across several parts, later writes winning, give the right bytes and hash', async () => {
      const data = randomBytes(Math.floor(2.5 * s.partBytes) + 4321);
      const block = 256 * 1024;
      const w = await s.store.createWriter();
      // Groups of 8 blocks (2 MiB) written last block first, each group's middle block first as garbage.
      for (let g = 0; g < data.length; g += 8 * block) {
        const end = Math.min(data.length, g + 8 * block);
        const middle = g + 4 * block;
        if (middle < end) await w.write(randomBytes(Math.min(block, end - middle)), middle);
        for (let off = g + Math.floor((end - g - 1) / block) * block; off >= g; off -= block) await w.write(data.subarray(off, Math.min(end, off + block)), off);
      }
      assert.equal(w.size, data.length);
      const blob = await w.commit();
      assert.equal(blob.sha256, sha(data));
      assert.deepEqual(await s.store.readAll(blob.key), data);
      assert.equal(await s.leftovers(), 0);
    });

    test('bytes never written read as zeros, as in a file', async () => {
      const w = await s.store.createWriter();
      await w.write(Buffer.from('after a hole'), 100);
      const blob = await w.commit();
      assert.deepEqual(await s.store.readAll(blob.key), Buffer.concat([Buffer.alloc(100), Buffer.from('after a hole')]));
    });

    test('an empty upload is stored as an empty blob', async () => {
      const w = await s.store.createWriter();
      const blob = await w.commit();
      assert.deepEqual(blob, { key: sha(Buffer.alloc(0)), sha256: sha(Buffer.alloc(0)), size: 0 });
      assert.equal((await s.store.readAll(blob.key)).length, 0);
      const r = await s.store.openReader(blob.key);
      assert.equal(r.size, 0);
      assert.equal((await r.read(0, 10)).length, 0);
      await r.close();
    });

    test('a multi-part upload streams to storage before commit, with the writer holding a bounded amount', async () => {
      const clientWindow = 64 * 32 * 1024;
      const data = randomBytes(Math.max(3 * (s.writerBound + clientWindow), Math.ceil(3.5 * s.partBytes)));
      const w = await s.store.createWriter();
      const most = await pipelined(w, data);
      assert.ok(most <= s.writerBound + clientWindow, `the writer held ${most} bytes, over ${s.writerBound} + the client's ${clientWindow}`);
      assert.ok((await s.leftovers()) >= 1, 'bytes already stored before the commit');
      const blob = await w.commit();
      assert.equal(w.bufferedBytes, 0);
      assert.equal(blob.sha256, sha(data));
      assert.equal(blob.size, data.length);
      const r = await s.store.openReader(blob.key);
      // Across the first part's end.
      assert.deepEqual(await r.read(s.partBytes - 10, 20), data.subarray(s.partBytes - 10, s.partBytes + 10));
      await r.close();
      assert.deepEqual(await s.store.readAll(blob.key), data);
      assert.equal(await s.leftovers(), 0);
    });

    test('abort throws the bytes away, more than once, and a commit after it is refused', async () => {
      const w = await s.store.createWriter();
      const data = await streamOut(w, s.writerBound + 2 * s.partBytes);
      await w.abort();
      await w.abort();
      assert.equal(await s.leftovers(), 0);
      await assert.rejects(w.commit(), /already aborted/);
      await assert.rejects(w.write(Buffer.from('x'), 0), /already aborted/);
      assert.equal(await s.store.exists(sha(data)), false);
    });

    test('abort after a commit changes nothing', async () => {
      const w = await s.store.createWriter();
      await w.write(Buffer.from('kept'), 0);
      const blob = await w.commit();
      await w.abort();
      assert.deepEqual(await s.store.readAll(blob.key), Buffer.from('kept'));
    });

    test('identical bytes are stored once, whichever way they come', async () => {
      const data = randomBytes(70 * 1024);
      const a = await s.store.putBuffer(data);
      const w = await s.store.createWriter();
      await w.write(data, 0);
      const b = await w.commit();
      assert.equal(a.key, b.key);
      assert.equal(a.key, sha(data));
      assert.equal((await collect(s.store.list())).filter((i) => i.key === a.key).length, 1);
    });

    test('ranged reads, across the read-ahead and at the end; readAll; exists', async () => {
      const data = randomBytes(600 * 1000 + 7);
      const blob = await s.store.putBuffer(data);
      assert.equal(await s.store.exists(blob.key), true);
      const r = await s.store.openReader(blob.key);
      assert.equal(r.size, data.length);
      assert.deepEqual(await r.read(0, 10), data.subarray(0, 10));
      assert.deepEqual(await r.read(300_000, 1000), data.subarray(300_000, 301_000));
      assert.deepEqual(await r.read(250_000, 70_000), data.subarray(250_000, 320_000));
      assert.deepEqual(await r.read(data.length - 5, 100), data.subarray(data.length - 5));
      assert.equal((await r.read(data.length, 10)).length, 0);
      const pieces: Buffer[] = [];
      for (let at = 0; at < r.size; at += 64 * 1024) pieces.push(await r.read(at, 64 * 1024));
      assert.deepEqual(Buffer.concat(pieces), data);
      // As an SFTP download reads: 32 KB requests, all at once.
      const offsets = Array.from({ length: Math.ceil(data.length / 32768) }, (_, i) => i * 32768);
      assert.deepEqual(Buffer.concat(await Promise.all(offsets.map((at) => r.read(at, 32768)))), data);
      await r.close();
      assert.deepEqual(await s.store.readAll(blob.key), data);
    });

    test('a deleted blob is missing: BlobNotFoundError on reads, exists false; delete again is fine', async () => {
      const blob = await s.store.putBuffer(randomBytes(5000));
      await s.store.delete(blob.key);
      assert.equal(await s.store.exists(blob.key), false);
      await assert.rejects(s.store.readAll(blob.key), BlobNotFoundError);
      await assert.rejects(s.store.openReader(blob.key), BlobNotFoundError);
      await s.store.delete(blob.key);
      await s.store.delete('not-a-key');
      assert.equal((await collect(s.store.list())).some((i) => i.key === blob.key), false);
    });

    test('a key nothing was stored under is missing', async () => {
      const never = sha(randomBytes(16));
      assert.equal(await s.store.exists(never), false);
      await assert.rejects(s.store.readAll(never), BlobNotFoundError);
      await assert.rejects(s.store.openReader(never), BlobNotFoundError);
      await assert.rejects(s.store.readAll('../../etc/passwd'), BlobNotFoundError);
    });

    test('the listing gives every blob once, in key order, with size and time stored, and resumes after a key', async () => {
      const t0 = Date.now();
      const stored = new Map<string, number>();
      for (let i = 0; i < 7; i++) {
        const b = await s.store.putBuffer(randomBytes(100 + i));
        stored.set(b.key, b.size);
      }
      const t1 = Date.now();
      const all = await collect(s.store.list());
      const keys = all.map((i) => i.key);
      assert.deepEqual(keys, [...keys].sort(), 'in key order');
      assert.equal(new Set(keys).size, keys.length, 'each once');
      for (const [key, size] of stored) {
        const info = all.find((i) => i.key === key);
        assert.ok(info, `${key} listed`);
        assert.equal(info.size, size);
        // Whole seconds on some stores; one machine's clock.
        assert.ok(info.modifiedAt.getTime() >= t0 - 1000 && info.modifiedAt.getTime() <= t1 + 1000, `${info.modifiedAt.toISOString()} within the test`);
      }
      const mine = [...stored.keys()].sort();
      const rest = await collect(s.store.list({ after: mine[2]! }));
      assert.deepEqual(
        rest.map((i) => i.key),
        keys.filter((k) => k > mine[2]!),
      );
    });

    test('storing the same bytes again renews their time, so a grace period counts from the latest commit', async () => {
      const data = randomBytes(2000);
      const first = await s.store.putBuffer(data);
      const before = (await collect(s.store.list())).find((i) => i.key === first.key)!.modifiedAt;
      await sleep(1100);
      const w = await s.store.createWriter();
      await w.write(data, 0);
      await w.commit();
      const afterCommit = (await collect(s.store.list())).find((i) => i.key === first.key)!.modifiedAt;
      assert.ok(afterCommit > before, `${afterCommit.toISOString()} after ${before.toISOString()}`);
    });

    test('what a crashed writer left is swept at the next start', async () => {
      const w = await s.store.createWriter();
      await streamOut(w, s.writerBound + 2 * s.partBytes);
      // The process dies here: no commit, no abort.
      assert.ok((await s.leftovers()) >= 1);
      assert.ok((await s.sweeper().sweepIncomplete()) >= 1);
      assert.equal(await s.leftovers(), 0);
    });
  });
}

contract('file store', fileSubject);
contract('S3 (Ceph RADOS Gateway)', s3Subject);
