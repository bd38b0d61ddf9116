import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { localIdKeys, matchLocalId } from '../localId/localId.js';
import { classifyPhotoName } from './fileName.js';

describe('a file name in idphotos', () => {
  test('a Local ID with jpg, jpeg, png or gif in any letter case is a photo for that ID', () => {
    for (const [name, localId, format] of [
      ['123456.jpg', '123456', 'jpeg'],
      ['004410.JPG', '004410', 'jpeg'],
      ['100104.jpeg', '100104', 'jpeg'],
      ['100105.Png', '100105', 'png'],
      ['100106.GIF', '100106', 'gif'],
      ['T600.jpg', 'T600', 'jpeg'],
      ['S-2024_17.jpg', 'S-2024_17', 'jpeg'],
    ] as const) {
      assert.deepEqual(classifyPhotoName(name), { kind: 'photo', localId, extension: name.slice(name.lastIndexOf('.') + 1), format }, name);
    }
  });

  test('a BMP, HEIC, TIFF or WEBP is refused with what to save it as instead', () => {
    const bmp = classifyPhotoName('100115.bmp');
    assert.equal(bmp.kind, 'rejected');
    assert.ok(bmp.kind === 'rejected' && bmp.message.startsWith('BMP is not accepted: save the photo as JPEG or PNG'), JSON.stringify(bmp));
    assert.match(bmp.kind === 'rejected' ? bmp.message : '', /upload it again as 100115\.jpg/);
    for (const ext of ['heic', 'TIFF', 'webp', 'pdf']) {
      const r = classifyPhotoName(`123456.${ext}`);
      assert.ok(r.kind === 'rejected' && r.reason === 'unsupported-extension', ext);
      assert.ok(r.message.startsWith(`${ext.toUpperCase()} is not accepted: save the photo as JPEG or PNG`), r.message);
    }
    const heic = classifyPhotoName('IMG_0001.HEIC');
    assert.match(heic.kind === 'rejected' ? heic.message : '', /Most Compatible/);
  });

  test('a name that is not a Local ID is refused with how to rename it', () => {
    for (const name of ['photo of 100116.jpg', '100116 (1).jpg', ' 100116.jpg', 'Copy of 100116.jpg', '.jpg', '100116.final.jpg', 'Siobhán.jpg']) {
      const r = classifyPhotoName(name);
      assert.equal(r.kind, 'rejected', name);
      assert.ok(r.kind === 'rejected' && r.reason === 'not-a-local-id', name);
      assert.match(r.message, /rename it to the person's Local ID, e\.g\. 123456\.jpg/, name);
    }
  });

  test('when the wrong name holds one ID, the message suggests it', () => {
    const r = classifyPhotoName('photo of 100116.jpg');
    assert.equal(
      r.kind === 'rejected' ? r.message : '',
      `"photo of 100116.jpg" is not named by a Local ID: rename it to the person's Local ID, e.g. 123456.jpg (100116.jpg if this is 100116's photo).`,
    );
    const copy = classifyPhotoName('100116 (1).JPG');
    assert.match(copy.kind === 'rejected' ? copy.message : '', /\(100116\.jpg if this is 100116's photo\)/);
  });

  test('a name without a file type is refused', () => {
    const r = classifyPhotoName('123456');
    assert.ok(r.kind === 'rejected' && r.reason === 'no-extension');
    assert.match(r.message, /has no file type: save the photo as JPEG or PNG/);
  });

  test('uploads still in flight and files the operating system adds are ignored', () => {
    for (const name of ['123456.jpg.filepart', '123456.jpg.part', '123456.JPG.PART', 'upload.tmp']) {
      assert.deepEqual(classifyPhotoName(name), { kind: 'ignore', why: 'client-temporary' }, name);
    }
    for (const name of ['.DS_Store', 'Thumbs.db', 'desktop.ini', '._123456.jpg']) {
      assert.deepEqual(classifyPhotoName(name), { kind: 'ignore', why: 'system-file' }, name);
    }
  });

  test("a photographer's zip is a package in any letter case", () => {
    assert.deepEqual(classifyPhotoName('Lincoln Elementary 2026.zip'), { kind: 'package' });
    assert.deepEqual(classifyPhotoName('PACKAGE.ZIP'), { kind: 'package' });
  });
});

describe('matching a Local ID to a person', () => {
  test('the loose key ignores letter case and leading zeros, but never empties an ID of zeros', () => {
    assert.deepEqual(localIdKeys('004410'), { exact: '004410', loose: '4410' });
    assert.deepEqual(localIdKeys('t600'), { exact: 't600', loose: 't600' });
    assert.equal(localIdKeys('T600').loose, 't600');
    assert.equal(localIdKeys('000').loose, '0');
  });

  test('an exact Local ID wins even when a looser one also fits', () => {
    assert.deepEqual(matchLocalId('4410', ['004410', '4410']), { kind: 'matched', localId: '4410', rule: 'exact' });
  });

  test('a photographer who dropped the leading zeros still reaches the person', () => {
    assert.deepEqual(matchLocalId('4410', ['100104', '004410']), { kind: 'matched', localId: '004410', rule: 'ignoring-case-and-leading-zeros' });
    assert.deepEqual(matchLocalId('t600', ['T600']), { kind: 'matched', localId: 'T600', rule: 'ignoring-case-and-leading-zeros' });
  });

  test('two people who differ only in zeros or case make the match ambiguous, and nobody gets the photo', () => {
    assert.deepEqual(matchLocalId('4410', ['004410', '04410']), { kind: 'ambiguous', candidates: ['004410', '04410'] });
  });

  test('an ID nobody has is no match', () => {
    assert.deepEqual(matchLocalId('100199', ['100104']), { kind: 'none' });
  });
});
