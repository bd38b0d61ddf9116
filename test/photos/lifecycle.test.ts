import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { FIXTURES, Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { District, PASSWORD, PHOTOS, sftpQuote } from './harness.js';

const sha = async (file: string) => createHash('sha256').update(await fs.readFile(file)).digest('hex');
const ROSTERS = path.join(FIXTURES, 'rosters/native');

for (const dialect of DIALECTS) {
  describe(`a person's photo over time (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let district: District;

    const importRoster = async (local: string, remote: string) => {
      const since = await district.lastEventId();
      await district.sftp([`put ${sftpQuote(local)} data/${remote}`]);
      const [e] = await district.settled(since, 1, 30_000);
      assert.equal(e?.outcome, 'imported', e?.message);
    };
    const deliver = async (files: Array<string | [string, string]>) => {
      const since = await district.lastEventId();
      await district.upload(files);
      return district.settled(since, files.length);
    };
    const revert = (localId: string) => ws.cli(['photo', 'revert', 'springfield', localId, '--json']);

    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('springfield', PASSWORD);
      const token = await ws.token('springfield');
      server = await ws.start();
      district = new District(server, 'springfield', token);
      await importRoster(path.join(ROSTERS, 'students.csv'), 'students.csv');
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
    });

    test('a photo for a student only next month\'s roster brings waits, and shows once that roster is imported', async () => {
      const [e] = await deliver([path.join(PHOTOS, 'unmatched/100199.jpg')]);
      assert.equal(e?.outcome, 'unmatched', e?.message);
      assert.equal(e?.localId, null);
      await importRoster(path.join(ROSTERS, 'students-later.csv'), 'students.csv');
      const deadline = Date.now() + 10_000;
      let photo = (await district.person('100199')).photo;
      while (!photo && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        photo = (await district.person('100199')).photo;
      }
      assert.equal(photo?.sha256, await sha(path.join(PHOTOS, 'unmatched/100199.jpg')));
    });

    test('an admin reverts a replacement, and a removed photo can be brought back', async () => {
      const first = path.join(PHOTOS, 'valid/100105.png');
      const second = path.join(PHOTOS, 'replacement/100105.jpg');
      await deliver([first]);
      await deliver([second]);
      assert.equal((await district.person('100105')).photo?.sha256, await sha(second));

      let r = await revert('100105');
      assert.equal(r.code, 0, r.stderr);
      const reverted = JSON.parse(r.stdout) as { localId: string; photo: { sha256: string; url: string } };
      assert.equal(reverted.localId, '100105');
      assert.equal(reverted.photo.sha256, await sha(first));
      const shown = (await district.person('100105')).photo;
      assert.equal(shown?.sha256, await sha(first));
      assert.equal(shown?.url, reverted.photo.url);

      r = await revert('100105');
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /has no earlier photo/);

      const since = await district.lastEventId();
      await district.sftp(['rm idphotos/100105.png']);
      const [removed] = await district.settled(since, 1);
      assert.equal(removed?.outcome, 'removed', removed?.message);
      assert.equal((await district.person('100105')).photo, null);
      r = await revert('100105');
      assert.equal(r.code, 0, r.stderr);
      assert.equal((await district.person('100105')).photo?.sha256, await sha(second), 'the newest kept photo is back');
    });

    test('reverting somebody unknown says so', async () => {
      const r = await revert('999999');
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Nobody with Local ID 999999/);
    });
  });
}
