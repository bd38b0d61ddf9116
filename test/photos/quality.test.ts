import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { DIALECTS } from '../helpers/databases.js';
import { REPO, Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { addPeople, District, fixturePeople, PASSWORD, PHOTOS } from './harness.js';

interface Delivery {
  id: number;
  finishedAt: string | null;
  counts: { linked: number; unmatched: number; rejected: number; flagged: number };
}

for (const dialect of DIALECTS) {
  describe(`quality warnings reach the person, the API and the delivery (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let district: District;
    const dir = path.join(REPO, 'test-output', `quality-${dialect}`);

    const newestFinished = async (count: number): Promise<Delivery> => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const res = await fetch(server.url('/api/v1/deliveries'), { headers: district.auth });
        const list = ((await res.json()) as { deliveries: Delivery[] }).deliveries;
        if (list.length === count && list[0]!.finishedAt) return list[0]!;
        if (Date.now() > deadline) assert.fail(`deliveries: ${JSON.stringify(list)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    before(async () => {
      await fs.mkdir(dir, { recursive: true });
      const lisa = await fs.readFile(path.join(PHOTOS, 'valid/004410.jpg'));
      // 004410's picture again, re-encoded, under another person's Local ID: the classic wrong name.
      await fs.writeFile(path.join(dir, '004411.jpg'), await sharp(lisa).jpeg({ quality: 70 }).toBuffer());
      await fs.writeFile(path.join(dir, '004412.jpg'), await sharp(await fs.readFile(path.join(PHOTOS, 'valid/004412.jpg'))).modulate({ brightness: 0.3 }).jpeg().toBuffer());
      ws = await Workspace.create(dialect);
      await ws.district('springfield', PASSWORD);
      await addPeople(ws, 'springfield', fixturePeople());
      server = await ws.start();
      district = new District(server, 'springfield', await ws.token('springfield'));
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
      await fs.rm(dir, { recursive: true, force: true });
    });

    test('a good photo has an empty warnings list', async () => {
      await district.upload([path.join(PHOTOS, 'valid/004410.jpg')]);
      const d = await newestFinished(1);
      assert.deepEqual(d.counts, { ...d.counts, linked: 1, flagged: 0 });
      const p = await district.person('004410');
      assert.deepEqual(p.photo?.warnings, []);
    });

    test('a copy of another person\'s photo and a dark photo are shown, flagged and counted as flagged', async () => {
      await district.upload([path.join(dir, '004411.jpg'), path.join(dir, '004412.jpg'), path.join(PHOTOS, 'valid/004413.JPG')]);
      const d = await newestFinished(2);
      assert.deepEqual({ linked: d.counts.linked, flagged: d.counts.flagged, rejected: d.counts.rejected, unmatched: d.counts.unmatched }, { linked: 1, flagged: 2, rejected: 0, unmatched: 0 });

      const warningsOf = async (localId: string) => {
        const p = await district.person(localId);
        assert.ok(p.photo, `${localId} shows the photo despite its warnings`);
        return p.photo.warnings;
      };
      assert.deepEqual(await warningsOf('004411'), ['same-as-another']);
      assert.deepEqual(await warningsOf('004412'), ['too-dark']);
      assert.deepEqual(await warningsOf('004413'), []);
      assert.deepEqual(await warningsOf('004410'), [], 'the first of the two keeps its clean record');

      const report = (await (await fetch(server.url(`/api/v1/deliveries/${d.id}`), { headers: district.auth })).json()) as {
        problems: Array<{ file: string; localId: string; outcome: string; reason: string; warnings: string[] }>;
      };
      const byFile = new Map(report.problems.map((p) => [p.file, p]));
      assert.deepEqual([...byFile.keys()].sort(), ['004411.jpg', '004412.jpg']);
      assert.equal(byFile.get('004411.jpg')!.outcome, 'flagged');
      assert.equal(byFile.get('004411.jpg')!.localId, '004411');
      assert.match(byFile.get('004411.jpg')!.reason, /the same picture as another person's photo: the file may carry the wrong Local ID/);
      assert.match(byFile.get('004412.jpg')!.reason, /much too dark/);

      const events = await district.events();
      const e = events.find((x) => x.file === '004411.jpg')!;
      assert.equal(e.outcome, 'linked');
      assert.match(e.message, /It looks like the photo of 004410\. Check this photo:/);
    });
  });
}
