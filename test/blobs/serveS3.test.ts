import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { client, ensureBucket, keysUnder, removePrefix, serverEnv, testS3, uniquePrefix, type TestS3 } from '../helpers/s3.js';
import { addPeople, District, fixturePeople, PACKAGES, PASSWORD, PHOTOS } from '../photos/harness.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** `lanyard serve --blob-store s3://…` end to end: OpenSSH in, the photo out of the web app, the bytes in the bucket. */
describe('a server whose stored files live in the object store', () => {
  let s: TestS3;
  let c: S3Client;
  let prefix: string;
  let ws: Workspace;
  let server: RunningLanyard | undefined;
  let district: District;
  let tmp: string;

  before(async () => {
    s = testS3();
    c = client(s);
    await ensureBucket(c, s.bucket);
    prefix = uniquePrefix('serve');
    ws = await Workspace.create('sqlite');
    await ws.district('springfield', PASSWORD);
    await addPeople(ws, 'springfield', fixturePeople());
    const token = await ws.token('springfield');
    server = await ws.start(['--blob-store', `s3://${s.bucket}/${prefix}`], serverEnv(s));
    district = new District(server, 'springfield', token);
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'serve-s3-'));
  });
  after(async () => {
    await server?.stop();
    await ws?.dispose();
    if (c) await removePrefix(c, s.bucket, prefix);
    c?.destroy();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  const objectBytes = async (key: string) => {
    const r = await c.send(new GetObjectCommand({ Bucket: s.bucket, Key: `${prefix}sha256/${key.slice(0, 2)}/${key}` }));
    return Buffer.from(await r.Body!.transformToByteArray());
  };

  test('a photo uploaded with OpenSSH sftp is linked and served, and its bytes are in the bucket, not the data folder', async () => {
    const local = path.join(PHOTOS, 'valid', '004410.jpg');
    const original = await fs.readFile(local);
    await district.upload([local]);
    const [event] = await district.settled(0, 1);
    assert.equal(event!.outcome, 'linked', event!.message);
    assert.equal(event!.sha256, sha(original));

    const person = await district.person('004410');
    assert.ok(person.photo, 'the person has a photo');
    const served = await district.image(person.photo.url);
    assert.equal((await sharp(served).metadata()).format, 'jpeg');
    assert.ok((await district.image(person.photo.url, 'thumb')).length > 0);

    // The original, and the sizes made from it, are objects; nothing went to the data folder's blobs.
    assert.deepEqual(await objectBytes(sha(original)), original);
    assert.deepEqual(await objectBytes(sha(served)), served);
    const stored = await keysUnder(c, s.bucket, `${prefix}sha256/`);
    assert.ok(stored.length >= 3, `original, profile and thumb stored: ${stored.join(', ')}`);
    assert.deepEqual(await keysUnder(c, s.bucket, `${prefix}incoming/`), []);
    const onDisk = await fs.readdir(path.join(ws.dataDir, 'blobs', 'sha256')).catch(() => []);
    assert.deepEqual(onDisk, []);

    // And SFTP reads it back from the object store.
    const copy = path.join(tmp, 'copy.jpg');
    await district.sftp([`get idphotos/004410.jpg ${copy}`]);
    assert.deepEqual(await fs.readFile(copy), original);
  });

  test('a 40 MB upload (five parts) is stored and comes back whole', async () => {
    const big = path.join(tmp, 'big.bin');
    const bytes = randomBytes(40 * 1024 * 1024 + 99);
    await fs.writeFile(big, bytes);
    // A client's temporary name: stored and listed, but no intake event.
    await district.sftp([`put ${big} data/big.bin.filepart`, `get data/big.bin.filepart ${big}.back`]);
    assert.equal(sha(await fs.readFile(`${big}.back`)), sha(bytes));
    assert.equal(sha(await objectBytes(sha(bytes))), sha(bytes));
    assert.deepEqual(await keysUnder(c, s.bucket, `${prefix}incoming/`), []);
  });

  test('a zip package is unpacked from the object store', async () => {
    const after = await district.lastEventId();
    await district.upload([path.join(PACKAGES, 'plain-named-photos.zip')]);
    const events = await district.settled(after, 1);
    const zip = events.find((e) => e.file === 'plain-named-photos.zip');
    assert.equal(zip?.outcome, 'unpacked', zip?.message);
    const linked = events.filter((e) => e.source === 'package' && e.outcome === 'linked');
    assert.ok(linked.length > 0, JSON.stringify(events.map((e) => [e.file, e.outcome, e.message])));
    const person = await district.person(linked[0]!.localId!);
    assert.ok(person.photo);
    assert.equal((await sharp(await district.image(person.photo.url)).metadata()).format, 'jpeg');
  });
});
