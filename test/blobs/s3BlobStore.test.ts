import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { DeleteBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3BlobStore, type S3BlobStore, type S3BlobStoreOptions } from '../../src/blobs/s3BlobStore.js';
import { isLanyardError } from '../../src/shared/errors.js';
import { client, ensureBucket, keysUnder, removePrefix, storeOptions, testS3, uniquePrefix, uploadsUnder, type TestS3 } from '../helpers/s3.js';

/** What only the S3 store does or refuses; the contract both stores keep is in blobStore.contract.test.ts. */

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('the S3 blob store (Ceph RADOS Gateway)', () => {
  let s: TestS3;
  let c: S3Client;
  let prefix: string;
  const opened: S3BlobStore[] = [];
  const open = (more: Partial<S3BlobStoreOptions> = {}) => {
    const st = createS3BlobStore({ ...storeOptions(s, prefix), ...more });
    opened.push(st);
    return st;
  };
  const leftovers = async () => (await uploadsUnder(c, s.bucket, prefix)).length + (await keysUnder(c, s.bucket, `${prefix}incoming/`)).length;

  before(async () => {
    s = testS3();
    c = client(s);
    await ensureBucket(c, s.bucket);
    prefix = uniquePrefix('s3store');
  });
  after(async () => {
    if (c) await removePrefix(c, s.bucket, prefix);
    for (const st of opened) st.close();
    c?.destroy();
  });

  test('with the default 8 MiB parts, a blob is one object under <prefix>sha256/ab/<hash> and nothing else is left', async () => {
    const store = open();
    const data = randomBytes(17 * MiB + 5);
    const w = await store.createWriter();
    for (let off = 0; off < data.length; off += 32 * 1024) await w.write(data.subarray(off, off + 32 * 1024), off);
    const blob = await w.commit();
    assert.equal(blob.sha256, sha(data));
    assert.deepEqual(await keysUnder(c, s.bucket, prefix), [`${prefix}sha256/${blob.key.slice(0, 2)}/${blob.key}`]);
    assert.equal(await leftovers(), 0);
    assert.deepEqual(await store.readAll(blob.key), data);
    await store.delete(blob.key);
  });

  test('a write too far ahead of the data received is refused with a sentence, and so is rewriting bytes already sent', async () => {
    const store = open({ partBytes: 5 * MiB, aheadBytes: 8 * MiB });
    const w = await store.createWriter();
    await w.write(randomBytes(MiB), 0);
    await assert.rejects(w.write(randomBytes(1000), 9 * MiB), (e: unknown) => isLanyardError(e) && e.kind === 'unsupported' && /more than 8 MB beyond the data received so far \(1048576 bytes\)/.test(e.message));
    // Within the bound is fine, and waits for the gap.
    await w.write(randomBytes(MiB), 8 * MiB);
    await w.write(randomBytes(7 * MiB), MiB);
    await assert.rejects(w.write(randomBytes(10), 100), (e: unknown) => isLanyardError(e) && /rewrite bytes already stored/.test(e.message));
    await w.abort();
    assert.equal(await leftovers(), 0);
  });

  test("a young leftover may be another node's upload in flight: the default sweep keeps it", async () => {
    const store = open({ partBytes: 5 * MiB });
    const w = await store.createWriter();
    for (let off = 0; off < 16 * MiB; off += MiB) await w.write(randomBytes(MiB), off);
    assert.equal(await store.sweepIncomplete(), 0);
    assert.equal((await uploadsUnder(c, s.bucket, `${prefix}incoming/`)).length, 1);
    const blob = await w.commit();
    assert.equal(blob.size, 16 * MiB);
    assert.equal(await leftovers(), 0);
  });

  test('a temporary object a commit left behind (a crash between completing and copying) is swept when old enough', async () => {
    await c.send(new PutObjectCommand({ Bucket: s.bucket, Key: `${prefix}incoming/left-by-a-crash`, Body: randomBytes(100) }));
    assert.equal(await open().sweepIncomplete(), 0);
    assert.equal(await open({ incompleteAgeMs: 0 }).sweepIncomplete(), 1);
    assert.equal(await leftovers(), 0);
  });

  test('a blob over the single-copy limit (5 GiB on S3) is placed by a copy in parts', async () => {
    const store = open({ partBytes: 5 * MiB, singleCopyMaxBytes: 0, copyPartBytes: 5 * MiB });
    const data = randomBytes(12 * MiB + 7);
    const w = await store.createWriter();
    for (let off = 0; off < data.length; off += MiB) await w.write(data.subarray(off, off + MiB), off);
    const blob = await w.commit();
    assert.equal(blob.sha256, sha(data));
    assert.deepEqual(await store.readAll(blob.key), data);
    assert.equal(await leftovers(), 0);
    await store.delete(blob.key);
  });

  test('the bucket is made when missing', async () => {
    const bucket = `lanyard-test-new-${randomBytes(4).toString('hex')}`;
    const store = createS3BlobStore(storeOptions(s, '', bucket));
    try {
      const blob = await store.putBuffer(Buffer.from('first blob in a new bucket'));
      assert.equal(await store.exists(blob.key), true);
      await store.delete(blob.key);
    } finally {
      store.close();
      await c.send(new DeleteBucketCommand({ Bucket: bucket }));
    }
  });

  test('an object store that cannot be reached stops the start with a sentence naming it', async () => {
    const store = createS3BlobStore({ ...storeOptions(s, prefix), endpoint: 'http://127.0.0.1:9' });
    try {
      await assert.rejects(
        store.sweepIncomplete(),
        (e: unknown) => isLanyardError(e) && e.kind === 'unavailable' && /The object store bucket "lanyard-test" at http:\/\/127\.0\.0\.1:9 cannot be used: .*ECONNREFUSED/.test(e.message),
      );
    } finally {
      store.close();
    }
  });
});
