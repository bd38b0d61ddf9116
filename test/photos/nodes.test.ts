import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { addPeople, District, fixturePeople, PASSWORD, PHOTOS } from './harness.js';

/**
 * A deployment may keep decoding off the nodes districts upload to: a node
 * started with `--intake off` records uploads, and another node sharing the
 * database processes them.
 */
for (const dialect of DIALECTS) {
  describe(`an upload node and an intake node sharing one database (${dialect})`, () => {
    let ws: Workspace;
    const servers: RunningLanyard[] = [];

    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('springfield', PASSWORD);
      await addPeople(ws, 'springfield', fixturePeople());
    });
    after(async () => {
      for (const s of servers) await s.stop();
      await ws?.dispose();
    });

    test('uploads to a node without the intake wait as received, and the intake node shows them', async () => {
      const token = await ws.token('springfield');
      const uploads = await ws.start(['--intake', 'off']);
      servers.push(uploads);
      const district = new District(uploads, 'springfield', token);
      await district.upload([path.join(PHOTOS, 'valid', '004410.jpg'), path.join(PHOTOS, 'valid', '100105.png')]);

      // Nothing runs the intake yet: the uploads are recorded and kept, not lost.
      await new Promise((r) => setTimeout(r, 1500));
      const waiting = await district.events();
      assert.deepEqual(
        waiting.map((e) => [e.file, e.outcome]),
        [
          ['004410.jpg', 'received'],
          ['100105.png', 'received'],
        ],
      );
      assert.equal((await district.person('004410')).photo, null);

      servers.push(await ws.start(['--intake', 'on']));
      const done = await district.settled(0, 2, 30_000);
      assert.deepEqual(
        done.map((e) => [e.file, e.outcome, e.localId]),
        [
          ['004410.jpg', 'linked', '004410'],
          ['100105.png', 'linked', '100105'],
        ],
      );
      // Served by the upload node, which decoded nothing itself.
      const person = await district.person('004410');
      assert.ok(person.photo, 'the photo shows on the upload node');
      assert.ok((await district.image(person.photo.url)).length > 1000);
    });
  });
}
