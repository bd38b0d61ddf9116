import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { linkWaitingPhotos } from '../../src/photos/waiting.js';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { backgroundColour, colourDistance, metadataBeyondStructure } from './images.js';
import { addPeople, District, fixturePeople, PASSWORD, PHOTOS, withDb, type ApiEvent } from './harness.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const stem = (name: string) => name.slice(0, name.lastIndexOf('.'));
const files = async (folder: string) => (await fs.readdir(path.join(PHOTOS, folder))).sort().map((n) => path.join(PHOTOS, folder, n));

/** What a district reads for each refused fixture. */
const REJECTIONS: Record<string, RegExp> = {
  '100111.jpg': /incomplete.*Upload it again/i,
  '100112.jpg': /not a picture/i,
  '100113.png': /empty/i,
  '100114.png': /30000 × 30000.*megapixels/,
  '100115.bmp': /^BMP is not accepted: save the photo as JPEG or PNG/,
  'photo of 100116.jpg': /rename it to the person's Local ID, e\.g\. 123456\.jpg/,
};

for (const dialect of DIALECTS) {
  describe(`photos dropped into idphotos reach the right person (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let district: District;
    let other: District;
    const byFile = new Map<string, ApiEvent>();

    const deliver = async (paths: string[]) => {
      const since = await district.lastEventId();
      await district.upload(paths);
      const got = await district.settled(since, paths.length);
      for (const e of got) byFile.set(e.file, e);
      return got;
    };

    /** The served photo has the uploaded file's background: the right face, whichever size. */
    const assertShows = async (localId: string, original: Buffer) => {
      const p = await district.person(localId);
      assert.ok(p.photo, `${localId} has a photo`);
      assert.equal(p.photo.sha256, sha(original), `${localId} shows the uploaded file`);
      assert.ok(!p.photo.url.includes(localId), 'the URL says nothing about the person');
      const want = await backgroundColour(original);
      for (const size of ['profile', 'thumb'] as const) {
        const got = await backgroundColour(await district.image(p.photo.url, size));
        assert.ok(colourDistance(got, want) < 12, `${localId} ${size}: ${got} vs ${want}`);
      }
    };

    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('springfield', PASSWORD);
      await ws.district('shelbyville', PASSWORD);
      await addPeople(ws, 'springfield', fixturePeople(['100199']));
      await addPeople(ws, 'shelbyville', fixturePeople());
      const [t1, t2] = [await ws.token('springfield'), await ws.token('shelbyville')];
      server = await ws.start();
      district = new District(server, 'springfield', t1);
      other = new District(server, 'shelbyville', t2);
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
    });

    test('every valid photo, in every accepted extension and letter case, is linked and shown', async () => {
      const valid = await files('valid');
      const got = await deliver(valid);
      for (const file of valid) {
        const name = path.basename(file);
        const e = byFile.get(name)!;
        assert.equal(e.outcome, 'linked', `${name}: ${e.message}`);
        assert.equal(e.localId, stem(name));
        assert.equal(e.source, 'sftp');
        await assertShows(stem(name), await fs.readFile(file));
      }
      assert.equal(got.length, valid.length, 'one event per file');
    });

    test('no size served carries metadata, and the sideways phone photo stands upright', async () => {
      await deliver(await files('tricky'));
      const served = new Map<string, Buffer>();
      for (const file of [...(await files('valid')), ...(await files('tricky'))]) {
        const p = await district.person(stem(path.basename(file)));
        for (const size of ['profile', 'thumb'] as const) served.set(`${p.localId} ${size}`, await district.image(p.photo!.url, size));
      }
      const findings = (await metadataBeyondStructure(served)).filter((f) => f.extra.length > 0);
      assert.deepEqual(findings, []);
      const phone = await district.person('100106');
      const meta = await sharp(await district.image(phone.photo!.url)).metadata();
      assert.ok(meta.height > meta.width, `portrait: ${meta.width} × ${meta.height}`);
      assert.equal(meta.orientation, undefined);
    });

    test('awkward photos (sideways, huge, CMYK, progressive, PNG named .jpg) replace the earlier ones', async () => {
      for (const file of await files('tricky')) {
        const name = path.basename(file);
        assert.equal(byFile.get(name)?.outcome, 'linked', `${name}: ${byFile.get(name)?.message}`);
        await assertShows(stem(name), await fs.readFile(file));
      }
    });

    test('refused files say why and change nothing for the person', async () => {
      const before = new Map<string, string | undefined>();
      for (const id of ['100111', '100112', '100113', '100114']) before.set(id, (await district.person(id)).photo?.sha256);
      await deliver(await files('reject'));
      for (const [name, why] of Object.entries(REJECTIONS)) {
        const e = byFile.get(name);
        assert.equal(e?.outcome, 'rejected', `${name}: ${e?.message}`);
        assert.match(e.message, why, name);
      }
      for (const [id, shaBefore] of before) assert.equal((await district.person(id)).photo?.sha256, shaBefore, `${id} unchanged`);
    });

    test('a file far larger than any photo is refused without being read, saying how large a photo may be', async () => {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'huge-'));
      try {
        // 60 MB of nothing (sparse here): what a mistaken export or a hostile upload looks like.
        const huge = path.join(dir, '100120.jpg');
        await fs.writeFile(huge, '');
        await fs.truncate(huge, 60 * 1024 * 1024);
        const before = (await district.person('100120')).photo?.sha256;
        await deliver([huge]);
        const e = byFile.get('100120.jpg');
        assert.equal(e?.outcome, 'rejected', e?.message);
        assert.match(e.message, /is 60 MB; a photo may be at most 50 MB\. Export it smaller/);
        assert.equal((await district.person('100120')).photo?.sha256, before, 'the earlier photo stays');
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    });

    test('a replacement becomes the photo, under a new URL', async () => {
      const oldUrl = (await district.person('100105')).photo!.url;
      const [file] = await files('replacement');
      await deliver([file!]);
      assert.equal(byFile.get('100105.jpg')?.outcome, 'linked');
      await assertShows('100105', await fs.readFile(file!));
      assert.notEqual((await district.person('100105')).photo!.url, oldUrl);
    });

    test('the same bytes again is not a new photo', async () => {
      const before = await district.person('100104');
      await deliver([path.join(PHOTOS, 'valid/100104.jpeg')]);
      assert.equal(byFile.get('100104.jpeg')?.outcome, 'linked');
      assert.match(byFile.get('100104.jpeg')!.message, /already/);
      assert.deepEqual((await district.person('100104')).photo, before.photo);
    });

    test('a photo for somebody not in the roster yet waits, and is shown once they arrive', async () => {
      const [file] = await files('unmatched');
      await deliver([file!]);
      const e = byFile.get('100199.jpg')!;
      assert.equal(e.outcome, 'unmatched', e.message);
      assert.match(e.message, /kept.*roster import/);
      await addPeople(ws, 'springfield', [{ localId: '100199', firstName: 'New', lastName: 'Student' }]);
      assert.equal((await district.person('100199')).photo, null);
      // What the roster intake calls after an import that brought people.
      const linked = await withDb(ws, async (db) => {
        const d = await db.kysely.selectFrom('districts').select('id').where('slug', '=', 'springfield').executeTakeFirstOrThrow();
        return linkWaitingPhotos({ db }, d.id);
      });
      assert.equal(linked, 1);
      await assertShows('100199', await fs.readFile(file!));
    });

    test('deleting the file takes the photo off the person', async () => {
      const since = await district.lastEventId();
      await district.sftp(['rm idphotos/100104.jpeg']);
      const [e] = await district.settled(since, 1);
      assert.equal(e?.outcome, 'removed', e?.message);
      assert.equal(e?.localId, '100104');
      assert.equal((await district.person('100104')).photo, null);
    });

    test('photos need the same credentials: 401 without, 404 from another district, cached privately with an ETag', async () => {
      const p = await district.person('100105');
      const url = p.photo!.url;
      for (const target of [url, `${url}?size=thumb`, '/api/v1/people/100105']) {
        const res = await fetch(server.url(target));
        assert.equal(res.status, 401, target);
        assert.notEqual(res.headers.get('content-type'), 'image/jpeg');
        const wrong = await fetch(server.url(target), { headers: { authorization: 'Bearer nope' } });
        assert.equal(wrong.status, 401, target);
      }
      const fromOther = await fetch(server.url(url), { headers: other.auth });
      assert.equal(fromOther.status, 404);
      assert.equal((await fetch(server.url('/api/v1/people/100105'), { headers: other.auth })).status, 200, 'their own 100105');
      assert.equal((await other.person('100105')).photo, null, 'who has no photo there');

      const res = await fetch(server.url(url), { headers: district.auth });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('cache-control') ?? '', /^private, max-age=\d{7,}/);
      const etag = res.headers.get('etag');
      assert.ok(etag);
      const again = await fetch(server.url(url), { headers: { ...district.auth, 'if-none-match': etag } });
      assert.equal(again.status, 304);
      const thumb = await fetch(server.url(`${url}?size=thumb`), { headers: { ...district.auth, 'if-none-match': etag } });
      assert.equal(thumb.status, 200, 'each size has its own ETag');
      assert.equal((await fetch(server.url('/api/v1/people/999999'), { headers: district.auth })).status, 404);
    });
  });
}
