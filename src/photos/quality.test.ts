import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { FIXTURES } from '../../test/helpers/lanyard.js';
import { normalisePhoto, type NormalisedPhoto } from './normalise.js';
import { dHash, dHashBands, hammingDistance, samePicture, summarisePixels } from './quality.js';

const PHOTOS = path.join(FIXTURES, 'photos');

async function checked(bytes: Buffer, label: string): Promise<NormalisedPhoto> {
  const r = await normalisePhoto(bytes);
  assert.ok(r.ok, `${label} was refused: ${r.ok ? '' : r.message}`);
  return r;
}

/** Every fixture photo that is accepted: the good ones the checks must leave alone. */
async function goodFixtures(): Promise<Array<{ name: string; bytes: Buffer }>> {
  const out: Array<{ name: string; bytes: Buffer }> = [];
  for (const folder of ['valid', 'tricky', 'replacement', 'unmatched']) {
    for (const name of (await fs.readdir(path.join(PHOTOS, folder))).sort()) out.push({ name: `${folder}/${name}`, bytes: await fs.readFile(path.join(PHOTOS, folder, name)) });
  }
  return out;
}

describe('photo quality checks', () => {
  const good = () => fs.readFile(path.join(PHOTOS, 'valid/004410.jpg'));

  test("the fixtures' good photos raise no warning (the tricky ones and a 4000 × 5000 included)", async () => {
    for (const f of await goodFixtures()) assert.deepEqual((await checked(f.bytes, f.name)).quality.warnings, [], f.name);
  });

  /** One image made to fail each check, and only that check. */
  const failing: Array<[string, () => Promise<Buffer>]> = [
    ['too-small', async () => sharp(await good()).resize(300, 400).jpeg().toBuffer()],
    ['too-dark', async () => sharp(await good()).modulate({ brightness: 0.3 }).jpeg().toBuffer()],
    ['too-bright', async () => sharp(await good()).modulate({ brightness: 3 }).jpeg().toBuffer()],
    ['blank', () => sharp({ create: { width: 600, height: 800, channels: 3, background: { r: 20, g: 24, b: 28 } } }).jpeg().toBuffer()],
    ['blurred', async () => sharp(await good()).blur(3).jpeg().toBuffer()],
    ['not-portrait', async () => sharp(await good()).extend({ left: 300, right: 300, extendWith: 'copy' }).jpeg().toBuffer()],
  ];
  for (const [code, make] of failing) {
    test(`${code} fires on an image made to fail it, and nothing else does`, async () => {
      const photo = await checked(await make(), code);
      const expected = code === 'blank' ? ['blank', 'too-dark'] : [code];
      assert.deepEqual(photo.quality.warnings.slice().sort(), expected.sort());
    });
  }

  test("a lens cap is blank and dark; a blank frame that is not dark is only blank", async () => {
    const grey = await sharp({ create: { width: 600, height: 800, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toBuffer();
    assert.deepEqual((await checked(grey, 'grey')).quality.warnings, ['blank']);
  });

  test('the same picture re-encoded or resized keeps its fingerprint; two different people with the same pose do not match', async () => {
    const original = await checked(await good(), 'original');
    const copy = await checked(await sharp(await good()).resize(540, 720).jpeg({ quality: 60 }).toBuffer(), 'copy');
    assert.ok(hammingDistance(original.quality.dhash, copy.quality.dhash) <= 3);
    assert.ok(samePicture(original.quality, copy.quality));
    const fixtures = await goodFixtures();
    const valid = fixtures.filter((f) => f.name.startsWith('valid/'));
    const prints = await Promise.all(valid.map(async (f) => ({ name: f.name, q: (await checked(f.bytes, f.name)).quality })));
    for (let i = 0; i < prints.length; i++) {
      for (let j = i + 1; j < prints.length; j++) assert.ok(!samePicture(prints[i]!.q, prints[j]!.q), `${prints[i]!.name} and ${prints[j]!.name} are different people`);
    }
  });

  test('one pass gives each pixel\'s luminance, the mean colour and the 9 × 8 cell means the dHash compares', () => {
    // 90 × 80 RGBA pixels (the fourth channel ignored), red rising from left to right, one cell every 10 × 10.
    const width = 90;
    const height = 80;
    const data = new Uint8Array(width * height * 4);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) data.set([x * 2, 100, 50, 255], (y * width + x) * 4);
    }
    const s = summarisePixels(data, 4, width, height);
    assert.equal(s.grey.length, width * height);
    assert.equal(s.grey[width + 3], Math.fround(0.299 * 6 + 0.587 * 100 + 0.114 * 50));
    assert.equal(s.colour, (89 << 16) | (100 << 8) | 50);
    // Each cell's mean red is 2 × its mean column (10c + 4.5).
    assert.deepEqual([...s.hashCells.subarray(0, 9)], [0, 1, 2, 3, 4, 5, 6, 7, 8].map((c) => Math.round(0.299 * 2 * (10 * c + 4.5) + 0.587 * 100 + 0.114 * 50)));
    assert.deepEqual(s.hashCells.subarray(9 * 7), s.hashCells.subarray(0, 9), 'every row of cells alike');
    // Brighter to the right everywhere: no left cell is brighter than its neighbour.
    assert.equal(dHash(s.hashCells), '0000000000000000');
    assert.equal(dHash(s.hashCells.map((v) => 255 - v)), 'ffffffffffffffff');
  });

  test("hashes within 3 bits share one indexed quarter exactly", () => {
    const a = 'f0e1d2c3b4a59687';
    const flip = (h: string, bits: number[]) => {
      let x = BigInt(`0x${h}`);
      for (const b of bits) x ^= 1n << BigInt(b);
      return x.toString(16).padStart(16, '0');
    };
    for (const bits of [[0], [5, 21], [3, 19, 40], [15, 31, 47]]) {
      const b = flip(a, bits);
      const [qa, qb] = [dHashBands(a), dHashBands(b)];
      assert.ok(qa.some((v, i) => v === qb[i]), `flipping ${bits.join(', ')}`);
    }
  });
});
