import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { backgroundColour, colourDistance } from './images.js';
import { addPeople, District, fixturePeople, PACKAGES, PASSWORD } from './harness.js';

/** One zip entry's bytes, as `unzip -p` gives them. */
async function entryBytes(zip: string, entry: string): Promise<Buffer> {
  const { stdout } = await promisify(execFile)('unzip', ['-p', zip, entry.replace(/([[\]*?])/g, '\\$1')], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

const EXPECTED: Record<string, { format: RegExp; ids: string[] }> = {
  'pspa-package.zip': { format: /PSPA package, INDEX\.TXT/, ids: ['100120', '100121', '100122', '100123', '100124', '100125', '100126', '100127', '100128', '100129'] },
  'powerschool-map.zip': { format: /PowerSchool/, ids: ['100130', '100131', '100132', '100133', '100134'] },
  'destiny-idlink.zip': { format: /Destiny idlink\.txt/, ids: ['100135', '100136', '100137', '100138', '100139'] },
  'plain-named-photos.zip': { format: /named by Local ID/, ids: ['004410', '004411', '004412'] },
};

for (const dialect of DIALECTS) {
  describe(`photographers' zips in idphotos (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let district: District;
    let tmp: string;

    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('springfield', PASSWORD);
      await addPeople(ws, 'springfield', fixturePeople());
      const token = await ws.token('springfield');
      server = await ws.start();
      district = new District(server, 'springfield', token);
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'packages-'));
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
      if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    });

    for (const [zipName, want] of Object.entries(EXPECTED)) {
      test(`${zipName}: every image is its own event and reaches the right person`, async () => {
        const zip = path.join(PACKAGES, zipName);
        const since = await district.lastEventId();
        await district.upload([zip]);
        const got = await district.settled(since, 1 + want.ids.length);
        const [outer, ...items] = got;
        assert.equal(outer?.file, zipName);
        assert.equal(outer?.source, 'sftp');
        assert.equal(outer?.outcome, 'unpacked', outer?.message);
        assert.match(outer.message, want.format);
        assert.match(outer.message, new RegExp(`${want.ids.length} linked, 0 unmatched, 0 rejected`));

        assert.deepEqual(items.map((e) => e.source), want.ids.map(() => 'package'));
        assert.deepEqual(items.map((e) => e.outcome), want.ids.map(() => 'linked'), JSON.stringify(items.map((e) => e.message)));
        assert.deepEqual(items.map((e) => e.localId).sort(), want.ids);
        for (const e of items) {
          assert.ok(e.file.startsWith(`${zipName}/`), e.file);
          const entry = e.file.slice(zipName.length + 1);
          const p = await district.person(e.localId!);
          assert.equal(p.photo?.sha256, e.sha256, `${e.localId} shows ${entry}`);
          const original = await entryBytes(zip, entry);
          const distance = colourDistance(await backgroundColour(await district.image(p.photo!.url)), await backgroundColour(original));
          assert.ok(distance < 12, `${e.localId}: background differs by ${distance}`);
        }
      });
    }

    test('a file named .zip that is not a zip is refused with the reason, and nothing else happens', async () => {
      const fake = path.join(tmp, 'photos.zip');
      await fs.writeFile(fake, 'this is not a zip at all');
      const since = await district.lastEventId();
      await district.upload([fake]);
      const got = await district.settled(since, 1);
      assert.equal(got.length, 1);
      assert.equal(got[0]?.outcome, 'rejected');
      assert.match(got[0]!.message, /cannot be opened/);
    });
  });
}
