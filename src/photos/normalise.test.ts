import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import sharp, { type Sharp } from 'sharp';
import { FIXTURES } from '../../test/helpers/lanyard.js';
import { backgroundColour, colourDistance, metadataBeyondStructure, type Rgb } from '../../test/photos/images.js';
import { classifyPhotoName } from './fileName.js';
import { normalisePhoto, PROFILE_SIZE, THUMB_SIZE, type NormalisedPhoto, type NormaliseResult } from './normalise.js';

const PHOTOS = path.join(FIXTURES, 'photos');
/** Same person, same background: JPEG re-encoding moves a flat colour by a few levels at most. */
const SAME_COLOUR = 12;

async function fixtures(folder: string): Promise<Array<{ name: string; bytes: Buffer }>> {
  const names = (await fs.readdir(path.join(PHOTOS, folder))).sort();
  return Promise.all(names.map(async (name) => ({ name, bytes: await fs.readFile(path.join(PHOTOS, folder, name)) })));
}

function accepted(result: NormaliseResult, label: string): NormalisedPhoto {
  assert.ok(result.ok, `${label} was refused: ${result.ok ? '' : result.message}`);
  return result;
}

async function assertPortraitOf(photo: NormalisedPhoto, original: Buffer, label: string): Promise<Rgb> {
  for (const size of ['profile', 'thumb'] as const) {
    const meta = await sharp(photo.sizes[size]).metadata();
    assert.equal(meta.format, 'jpeg', `${label} ${size}`);
    assert.equal(meta.width * 5, meta.height * 4, `${label} ${size} is 4:5 portrait (${meta.width}x${meta.height})`);
    assert.deepEqual({ width: meta.width, height: meta.height }, photo.dimensions[size], `${label} ${size}`);
  }
  const expected = await backgroundColour(original);
  for (const size of ['profile', 'thumb'] as const) {
    const seen = await backgroundColour(photo.sizes[size]);
    assert.ok(colourDistance(seen, expected) < SAME_COLOUR, `${label} ${size}: background ${seen} is not the original's ${expected}`);
  }
  return expected;
}

const miniature = (image: Sharp): Promise<Buffer> => image.resize(40, 50, { fit: 'cover' }).toColourspace('srgb').removeAlpha().raw().toBuffer();

function meanDifference(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] as number) - (b[i] as number));
  return sum / a.length;
}

describe('normalising the photos a district uploads', () => {
  test('every valid photo becomes a 600×750 profile and a 96×120 thumbnail showing that person', async () => {
    const colours: Array<[string, Rgb]> = [];
    for (const folder of ['valid', 'replacement', 'unmatched']) {
      for (const { name, bytes } of await fixtures(folder)) {
        const photo = accepted(await normalisePhoto(bytes), name);
        assert.deepEqual(photo.dimensions, { profile: PROFILE_SIZE, thumb: THUMB_SIZE }, name);
        colours.push([`${folder}/${name}`, await assertPortraitOf(photo, bytes, name)]);
        assert.ok(photo.sizes.thumb.length < 4000, `${name}: a thumbnail of ${photo.sizes.thumb.length} bytes is too heavy for a list of 100`);
      }
    }
    // Each person has a background of their own, so a wrong face would show.
    const valid = colours.filter(([label]) => label.startsWith('valid/'));
    for (let i = 0; i < valid.length; i++) {
      for (let j = i + 1; j < valid.length; j++) {
        const [a, ca] = valid[i] as [string, Rgb];
        const [b, cb] = valid[j] as [string, Rgb];
        assert.ok(colourDistance(ca, cb) > SAME_COLOUR * 2, `${a} and ${b} look alike`);
      }
    }
  });

  test('a phone photo stored sideways (EXIF orientation 6) comes out upright', async () => {
    const bytes = await fs.readFile(path.join(PHOTOS, 'tricky/100106.jpg'));
    assert.equal((await sharp(bytes).metadata()).width, 800, 'the stored pixels are landscape');
    const photo = accepted(await normalisePhoto(bytes), '100106');
    assert.equal(photo.orientationApplied, true);
    assert.deepEqual({ width: photo.width, height: photo.height }, { width: 600, height: 800 });
    await assertPortraitOf(photo, bytes, '100106');
    // Compared at a small size with the same photo turned by hand, and with it left as stored.
    const upright = await miniature(sharp(bytes, { autoOrient: true }));
    const asStored = await miniature(sharp(bytes, { autoOrient: false }));
    const served = await miniature(sharp(photo.sizes.profile));
    assert.ok(meanDifference(served, upright) < 8, `differs from the upright photo by ${meanDifference(served, upright)}`);
    assert.ok(meanDifference(served, asStored) > 20, `looks like the sideways photo (${meanDifference(served, asStored)})`);
  });

  test('a 4000×5000 original, a CMYK JPEG, a progressive JPEG and a PNG named .jpg are all accepted', async () => {
    const expected: Record<string, Partial<NormalisedPhoto>> = {
      '100106.jpg': { format: 'jpeg', orientationApplied: true },
      '100107.jpg': { format: 'jpeg', width: 4000, height: 5000 },
      '100108.jpg': { format: 'jpeg', sourceColourSpace: 'cmyk' },
      '100109.jpeg': { format: 'jpeg' },
      '100110.jpg': { format: 'png' },
    };
    for (const { name, bytes } of await fixtures('tricky')) {
      const photo = accepted(await normalisePhoto(bytes), name);
      for (const [key, value] of Object.entries(expected[name] ?? {})) assert.equal(photo[key as keyof NormalisedPhoto], value, `${name} ${key}`);
      await assertPortraitOf(photo, bytes, name);
    }
  });

  test('every file in reject/ is refused with the reason a secretary can act on', async () => {
    const expected: Record<string, RegExp> = {
      '100111.jpg': /^truncated: The photo is incomplete/,
      '100112.jpg': /^not-an-image: This file is not a picture/,
      '100113.png': /^empty: The file is empty/,
      '100114.png': /^too-many-pixels: This image claims 30000 × 30000 pixels \(900 megapixels\); a photo may have at most 64 megapixels/,
      '100115.bmp': /^unsupported-extension: BMP is not accepted: save the photo as JPEG or PNG/,
      'photo of 100116.jpg': /^not-a-local-id: .*rename it to the person's Local ID, e\.g\. 123456\.jpg/,
    };
    const files = await fixtures('reject');
    assert.deepEqual(files.map((f) => f.name).sort(), Object.keys(expected).sort());
    for (const { name, bytes } of files) {
      const byName = classifyPhotoName(name);
      const outcome = byName.kind === 'rejected' ? byName : await normalisePhoto(bytes);
      assert.ok('reason' in outcome, `${name} was accepted`);
      assert.match(`${outcome.reason}: ${outcome.message}`, expected[name] as RegExp, name);
    }
  });

  test('no size we serve carries EXIF, GPS, XMP, IPTC, ICC or comments, even from a photo full of them', async () => {
    const phone = await fs.readFile(path.join(PHOTOS, 'tricky/100106.jpg'));
    const loaded = await sharp({ create: { width: 600, height: 800, channels: 3, background: '#3366aa' } })
      .withExif({ IFD0: { Make: 'PhoneCo', Artist: 'Photographer', ImageDescription: 'Student 100104' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '47/1 36/1 22/1' } })
      .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="Photographer"/></rdf:RDF></x:xmpmeta>')
      .withIccProfile('p3')
      .jpeg()
      .toBuffer();
    const png = await sharp({ create: { width: 600, height: 800, channels: 4, background: '#aa3366' } })
      .withExif({ IFD0: { Artist: 'Photographer' } })
      .png()
      .toBuffer();
    const before = await metadataBeyondStructure(new Map([['phone', phone], ['loaded', loaded]]));
    assert.ok(before.every((f) => f.extra.some((tag) => /GPS/.test(tag))), `the inputs do carry GPS: ${JSON.stringify(before)}`);

    const outputs = new Map<string, Buffer>();
    const all = [...(await fixtures('valid')), ...(await fixtures('tricky')), ...(await fixtures('replacement')), ...(await fixtures('unmatched')), { name: 'loaded.jpg', bytes: loaded }, { name: 'exif.png', bytes: png }];
    for (const { name, bytes } of all) {
      const photo = accepted(await normalisePhoto(bytes), name);
      outputs.set(`${name} profile`, photo.sizes.profile);
      outputs.set(`${name} thumb`, photo.sizes.thumb);
    }
    const findings = await metadataBeyondStructure(outputs);
    assert.equal(findings.length, outputs.size);
    assert.deepEqual(findings.filter((f) => f.extra.length > 0), []);
  });

  test('an animated GIF keeps its first frame', async () => {
    const frames = await Promise.all(
      ['#cc2222', '#2222cc'].map((background) => sharp({ create: { width: 200, height: 250, channels: 3, background } }).raw().toBuffer()),
    );
    const gif = await sharp(Buffer.concat(frames), { raw: { width: 200, height: 500, channels: 3, pageHeight: 250 } })
      .gif({ delay: [100, 100] })
      .toBuffer();
    assert.equal((await sharp(gif).metadata()).pages, 2);
    const photo = accepted(await normalisePhoto(gif), 'animated gif');
    assert.equal(photo.animated, true);
    assert.deepEqual(photo.dimensions.profile, { width: 200, height: 250 });
    assert.ok(colourDistance(await backgroundColour(photo.sizes.profile), [204, 34, 34]) < SAME_COLOUR);
  });

  test('a transparent PNG is shown on white, not black', async () => {
    const png = await sharp({ create: { width: 300, height: 375, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    const photo = accepted(await normalisePhoto(png), 'transparent');
    assert.ok(colourDistance(await backgroundColour(photo.sizes.profile), [255, 255, 255]) < SAME_COLOUR);
  });

  test('a landscape photo is cropped to a portrait around its centre, and a small one is never enlarged', async () => {
    const wide = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#118844' } }).jpeg().toBuffer();
    assert.deepEqual(accepted(await normalisePhoto(wide), 'landscape').dimensions.profile, { width: 480, height: 600 });
    const small = await sharp({ create: { width: 240, height: 320, channels: 3, background: '#118844' } }).png().toBuffer();
    assert.deepEqual(accepted(await normalisePhoto(small), 'small').dimensions, { profile: { width: 240, height: 300 }, thumb: THUMB_SIZE });
  });

  test('a 16-bit greyscale PNG becomes an ordinary sRGB JPEG', async () => {
    const grey = await sharp({ create: { width: 400, height: 500, channels: 3, background: '#808080' } })
      .toColourspace('grey16')
      .png()
      .toBuffer();
    const photo = accepted(await normalisePhoto(grey), 'grey16');
    const meta = await sharp(photo.sizes.profile).metadata();
    assert.equal(meta.channels, 3);
    assert.equal(meta.space, 'srgb');
  });

  test('a picture too small for a thumbnail is refused', async () => {
    const tiny = await sharp({ create: { width: 60, height: 75, channels: 3, background: '#118844' } }).jpeg().toBuffer();
    const r = await normalisePhoto(tiny);
    assert.ok(!r.ok && r.reason === 'too-small', JSON.stringify(r));
    assert.match(r.message, /only 60 × 75 pixels/);
  });

  test('TIFF and SVG content under a .jpg name is refused for what it is', async () => {
    const tiff = await sharp({ create: { width: 300, height: 375, channels: 3, background: '#118844' } }).tiff().toBuffer();
    const r = await normalisePhoto(tiff);
    assert.ok(!r.ok && r.reason === 'unsupported-content', JSON.stringify(r));
    assert.match(r.message, /TIFF image, which is not accepted: save the photo as JPEG or PNG/);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="375"><rect width="300" height="375" fill="red"/></svg>');
    const s = await normalisePhoto(svg);
    assert.ok(!s.ok && s.reason === 'unsupported-content', JSON.stringify(s));
  });

  test('a bomb is refused from its header under a lower configured limit too', async () => {
    const big = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#118844' } }).png().toBuffer();
    const r = await normalisePhoto(big, { maxInputPixels: 1_000_000 });
    assert.ok(!r.ok && r.reason === 'too-many-pixels', JSON.stringify(r));
  });

  test('a JPEG cut off part-way through the picture is refused as incomplete', async () => {
    const whole = await fs.readFile(path.join(PHOTOS, 'valid/100104.jpeg'));
    const r = await normalisePhoto(whole.subarray(0, Math.floor(whole.length * 0.6)));
    assert.ok(!r.ok && r.reason === 'truncated', JSON.stringify(r));
  });
});
