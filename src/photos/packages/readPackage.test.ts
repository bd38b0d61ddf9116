import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { FIXTURES } from '../../../test/helpers/lanyard.js';
import { maskDifference, writtenIdMask } from '../../../test/photos/images.js';
import { buildZip, type ZipEntrySpec } from '../../../test/photos/zipBuilder.js';
import type { ZipSource } from '../../zip/zipReader.js';
import { DEFAULT_PACKAGE_LIMITS, openPackage, type PackageItem, type PhotoPackage } from './readPackage.js';

const PACKAGES = path.join(FIXTURES, 'packages');
const VALID = path.join(FIXTURES, 'photos/valid');

/** The Local ID written on each person's own photo in photos/valid. */
async function writtenIds(): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const name of await fs.readdir(VALID)) out.set(name.replace(/\.[^.]+$/, ''), await writtenIdMask(await fs.readFile(path.join(VALID, name))));
  return out;
}

/** Whose Local ID is written on the image: the valid photo whose written ID is nearest. */
async function whoseIdIsWritten(image: Buffer, known: Map<string, Buffer>): Promise<string> {
  const mask = await writtenIdMask(image);
  return [...known].map(([id, m]) => [id, maskDifference(mask, m)] as const).sort((a, b) => a[1] - b[1])[0]?.[0] ?? '';
}

async function open(source: ZipSource, limits = DEFAULT_PACKAGE_LIMITS): Promise<PhotoPackage> {
  const r = await openPackage(source, limits);
  assert.ok(r.ok, r.ok ? '' : `${r.reason}: ${r.message}`);
  return r.package;
}

async function refusal(source: Buffer, limits = DEFAULT_PACKAGE_LIMITS): Promise<string> {
  const r = await openPackage(source, limits);
  assert.ok(!r.ok, 'the package was accepted');
  return `${r.reason}: ${r.message}`;
}

async function collect(pkg: PhotoPackage): Promise<PackageItem[]> {
  const items: PackageItem[] = [];
  for await (const item of pkg.items()) items.push(item);
  return items;
}

const photo = (name: string) => fs.readFile(path.join(VALID, name));

describe("a photographer's package", () => {
  test('each fixture package gives every image to the right person', async () => {
    const known = await writtenIds();
    const expected: Record<string, { format: string; ids: string[] }> = {
      'pspa-package.zip': { format: 'pspa-index', ids: ['100120', '100121', '100122', '100123', '100124', '100125', '100126', '100127', '100128', '100129'] },
      'powerschool-map.zip': { format: 'powerschool-map', ids: ['100130', '100131', '100132', '100133', '100134'] },
      'destiny-idlink.zip': { format: 'destiny-idlink', ids: ['100135', '100136', '100137', '100138', '100139'] },
      'plain-named-photos.zip': { format: 'file-names', ids: ['004410', '004411', '004412'] },
    };
    for (const name of await fs.readdir(PACKAGES)) {
      const want = expected[name];
      assert.ok(want, `no expectation for ${name}`);
      const pkg = await open(await fs.readFile(path.join(PACKAGES, name)));
      assert.equal(pkg.format, want.format, name);
      assert.deepEqual(pkg.problems, [], name);
      const items = await collect(pkg);
      const ids: string[] = [];
      for (const item of items) {
        assert.equal(item.kind, 'photo', `${name} ${item.entryName}: ${item.kind === 'rejected' ? item.message : ''}`);
        if (item.kind !== 'photo') continue;
        ids.push(item.localId);
        assert.equal(await whoseIdIsWritten(item.bytes, known), item.localId, `${name}: ${item.entryName} shows someone else`);
      }
      assert.deepEqual(ids.sort(), want.ids, name);
    }
  });

  test('can be read from positional reads of a stored file, never needing it whole', async () => {
    const bytes = await fs.readFile(path.join(PACKAGES, 'pspa-package.zip'));
    let largestRead = 0;
    const source: ZipSource = {
      size: bytes.length,
      read: async (offset, length) => {
        largestRead = Math.max(largestRead, length);
        return bytes.subarray(offset, offset + length);
      },
    };
    const items = await collect(await open(source));
    assert.equal(items.filter((i) => i.kind === 'photo').length, 10);
    assert.ok(largestRead <= 64 * 1024, `read ${largestRead} bytes at once`);
  });

  test('a PSPA MASTER.TXT wins over INDEX.TXT, with field 11 declared as ID in README.TXT', async () => {
    const line = (file: string, id: string) => ['Vol001', 'Images\\Vol001', file, '5', 'Last', 'First', 'Room 1', '', 'Teacher', '', id].join('\t');
    const zip = buildZip([
      { name: 'Order 17/README.TXT', data: '[# Fields] = 11\r\n[Field Definition #11] = ID\r\n' },
      { name: 'Order 17/INDEX.TXT', data: `${line('00000001.jpg', '999999')}\r\n` },
      { name: 'Order 17/MASTER.TXT', data: `${line('00000001.jpg', '100104')}\r\n${line('00000002.jpg', '')}\r\n` },
      { name: 'Order 17/Images/Vol001/00000001.jpg', data: await photo('100104.jpeg'), store: true },
      { name: 'Order 17/Images/Vol001/stray.jpg', data: await photo('100107.jpg'), store: true },
    ]);
    const pkg = await open(zip);
    assert.equal(pkg.format, 'pspa-master');
    assert.equal(pkg.indexFile, 'Order 17/MASTER.TXT');
    assert.deepEqual(
      pkg.problems.map((p) => p.message),
      [
        'MASTER.TXT line 2 (First Last) has no ID in field 11, so 00000002.jpg cannot be matched to anyone.',
        'Order 17/INDEX.TXT was not used: Order 17/MASTER.TXT decides whose photo each image is.',
      ],
    );
    const items = await collect(pkg);
    assert.deepEqual(
      items.map((i) => [i.entryName, i.kind, i.localId]),
      [
        ['Order 17/Images/Vol001/00000001.jpg', 'photo', '100104'],
        ['Order 17/Images/Vol001/stray.jpg', 'rejected', null],
      ],
    );
    assert.match(items[1]?.kind === 'rejected' ? items[1].message : '', /stray\.jpg is not listed in MASTER\.TXT/);
  });

  test('an index that names a file missing from the zip says which line and file', async () => {
    const zip = buildZip([
      { name: 'photos.txt', data: 'Student_Number\tFile\n100104\tIMG_1.jpg\n100105\tIMG_2.jpg\n' },
      { name: 'IMG_1.jpg', data: await photo('100104.jpeg'), store: true },
    ]);
    const pkg = await open(zip);
    assert.deepEqual(pkg.problems, [{ file: 'photos.txt', message: 'photos.txt line 3 names IMG_2.jpg for 100105, but that file is not in the zip.' }]);
    assert.deepEqual((await collect(pkg)).map((i) => [i.kind, i.localId]), [['photo', '100104']]);
  });

  test('a PSPA index without a README saying which field is the ID is refused whole, rather than guessing faces', async () => {
    const zip = buildZip([
      { name: 'INDEX.TXT', data: 'Vol001\tImages\t00000001.jpg\t5\tLast\tFirst\t\t\t\t\t100104\n' },
      { name: 'Images/00000001.jpg', data: await photo('100104.jpeg'), store: true },
    ]);
    assert.match(await refusal(zip), /^bad-index: INDEX\.TXT does not say which field holds the Local ID.*\[Field Definition #11\] = ID/);
  });

  test('Windows-1252 and UTF-16 index files are read', async () => {
    const latin = Buffer.from('"100104","Jos\xe9 P.jpg"\r\n', 'latin1');
    const pkg = await open(buildZip([{ name: 'idlink.txt', data: latin }, { name: 'José P.jpg', data: await photo('100104.jpeg'), store: true }]));
    assert.deepEqual((await collect(pkg)).map((i) => [i.kind, i.localId, i.entryName]), [['photo', '100104', 'José P.jpg']]);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('100105\tA.jpg\r\n', 'utf16le')]);
    const pkg16 = await open(buildZip([{ name: 'photos.txt', data: utf16 }, { name: 'A.jpg', data: await photo('100107.jpg'), store: true }]));
    assert.deepEqual((await collect(pkg16)).map((i) => [i.kind, i.localId]), [['photo', '100105']]);
  });

  test('by file name, wrong names and formats are refused one by one and other files are skipped', async () => {
    const pkg = await open(
      buildZip([
        { name: 'batch/100104.jpg', data: await photo('100104.jpeg'), store: true },
        { name: 'batch/photo of 100105.jpg', data: await photo('100107.jpg'), store: true },
        { name: 'batch/100106.bmp', data: 'BM' },
        { name: 'batch/notes.docx', data: 'x' },
        { name: 'batch/more.zip', data: 'PK' },
        { name: '__MACOSX/batch/._100104.jpg', data: 'x' },
        { name: 'batch/.DS_Store', data: 'x' },
      ]),
    );
    assert.deepEqual(pkg.problems, [
      { file: 'batch/notes.docx', message: 'batch/notes.docx is not a photo and was skipped.' },
      { file: 'batch/more.zip', message: 'batch/more.zip is a zip inside the zip and was not unpacked: put its photos in the outer zip.' },
    ]);
    const items = await collect(pkg);
    assert.deepEqual(
      items.map((i) => [i.entryName, i.kind === 'photo' ? i.localId : i.reason]),
      [
        ['batch/100104.jpg', '100104'],
        ['batch/photo of 100105.jpg', 'not-a-local-id'],
        ['batch/100106.bmp', 'unsupported-extension'],
      ],
    );
    assert.match(items[2]?.kind === 'rejected' ? items[2].message : '', /BMP is not accepted: save the photo as JPEG or PNG/);
  });

  test('a damaged, truncated or fake zip is refused with a clear reason', async () => {
    const real = await fs.readFile(path.join(PACKAGES, 'destiny-idlink.zip'));
    assert.match(await refusal(real.subarray(0, real.length - 200)), /^not-a-zip: This \.zip cannot be opened/);
    assert.match(await refusal(Buffer.from('this is a text file named photos.zip\n')), /^not-a-zip/);
    assert.match(await refusal(Buffer.alloc(0)), /^not-a-zip/);
  });

  test('an entry whose data is damaged is refused alone and the rest still arrive', async () => {
    const good = await photo('100104.jpeg');
    const zip = buildZip([
      { name: '100104.jpg', data: good },
      { name: '100105.jpg', data: good },
    ]);
    // Flip bytes inside the first entry's deflated data: its CRC no longer matches.
    const broken = Buffer.from(zip);
    for (let i = 200; i < 260; i++) broken[i] = (broken[i] as number) ^ 0xff;
    const items = await collect(await open(broken));
    assert.deepEqual(
      items.map((i) => [i.entryName, i.kind]),
      [
        ['100104.jpg', 'rejected'],
        ['100105.jpg', 'photo'],
      ],
    );
    assert.match(items[0]?.kind === 'rejected' ? items[0].message : '', /cannot be unpacked/);
  });

  test('a zip bomb is refused before anything is unpacked', async () => {
    const bomb = buildZip([{ name: '100104.jpg', data: Buffer.alloc(20 * 1024 ** 2) }]);
    assert.ok(bomb.length < 100_000);
    assert.match(await refusal(bomb), /^zip-bomb: 100104\.jpg would expand from \d+ bytes to 20971520/);
  });

  test('an entry that holds more than its header claims cannot get past the size limit', async () => {
    const liar = buildZip([{ name: '100104.jpg', data: Buffer.alloc(3 * 1024 ** 2, 1), claimedSize: 1000 }]);
    const items = await collect(await open(liar, { ...DEFAULT_PACKAGE_LIMITS, maxEntryBytes: 1024 ** 2 }));
    assert.deepEqual(items.map((i) => [i.kind, i.kind === 'rejected' ? i.reason : '']), [['rejected', 'unreadable']]);
  });

  test('too many files, too many bytes, or one oversized photo are refused with the limit', async () => {
    const small = await photo('100104.jpeg');
    const three = buildZip(['1.jpg', '2.jpg', '3.jpg'].map((name): ZipEntrySpec => ({ name, data: small, store: true })));
    assert.match(await refusal(three, { ...DEFAULT_PACKAGE_LIMITS, maxEntries: 2 }), /^too-many-entries: This zip holds 3 files; a package may hold at most 2/);
    assert.match(await refusal(three, { ...DEFAULT_PACKAGE_LIMITS, maxTotalBytes: small.length * 2 }), /^too-large: This zip unpacks to/);
    const items = await collect(await open(three, { ...DEFAULT_PACKAGE_LIMITS, maxEntryBytes: 1000 }));
    assert.ok(items.every((i) => i.kind === 'rejected' && i.reason === 'too-large'));
  });

  test('names that climb out of the zip are refused, and no path inside a zip ever reaches the disk', async () => {
    const zip = buildZip([{ name: '../../etc/100104.jpg', data: await photo('100104.jpeg'), store: true }]);
    assert.match(await refusal(zip), /^unsafe-names: This zip contains a file whose name points outside the zip/);
    const absolute = buildZip([{ name: '/tmp/100104.jpg', data: await photo('100104.jpeg'), store: true }]);
    assert.match(await refusal(absolute), /^unsafe-names/);
  });

  test('a zip with no photos in it says so', async () => {
    assert.match(await refusal(buildZip([{ name: 'readme.docx', data: 'x' }])), /^no-photos: This zip holds no photos/);
  });
});
