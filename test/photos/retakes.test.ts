import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { DIALECTS } from '../helpers/databases.js';
import { REPO, Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { addPeople, District, PASSWORD, PHOTOS, withDb } from './harness.js';

const csvRows = (csv: string) =>
  csv
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n');

for (const dialect of DIALECTS) {
  describe(`the retake list holds exactly who needs a photo (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let district: District;
    const dir = path.join(REPO, 'test-output', `retakes-${dialect}`);

    before(async () => {
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(path.join(dir, '004411.jpg'), await sharp(await fs.readFile(path.join(PHOTOS, 'valid/004411.jpg'))).modulate({ brightness: 0.3 }).jpeg().toBuffer());
      ws = await Workspace.create(dialect);
      await ws.district('springfield', PASSWORD);
      await ws.district('shelbyville', PASSWORD);
      await addPeople(ws, 'springfield', [
        { localId: '004410', firstName: 'Lisa', lastName: 'Simpson', school: '101', grade: '2' },
        { localId: '004411', firstName: 'Bart', lastName: 'Simpson', school: '101', grade: '4' },
        { localId: '004412', firstName: 'Milhouse', lastName: 'Van Houten', school: '201', grade: '4' },
        { localId: '004413', firstName: 'Nelson', lastName: 'Muntz', school: '201', grade: '5' },
        { localId: '100104', firstName: 'Edna', lastName: 'Krabappel', role: 'staff', school: '101' },
        { localId: '100105', firstName: 'Sherri', lastName: 'Mackleberry', school: '201', grade: '4', active: false },
      ]);
      // Another district's person without a photo is never on this district's list.
      await addPeople(ws, 'shelbyville', [{ localId: '900001', firstName: 'Shelby', lastName: 'Ville', school: '101', grade: '2' }]);
      server = await ws.start();
      district = new District(server, 'springfield', await ws.token('springfield'));
      await district.upload([
        path.join(PHOTOS, 'valid/004410.jpg'),
        path.join(dir, '004411.jpg'),
        path.join(PHOTOS, 'valid/004413.JPG'),
        path.join(PHOTOS, 'valid/100104.jpeg'),
      ]);
      await district.settled(0, 4);
      // Nelson's photo is last year's.
      await withDb(ws, async (db) => {
        const nelson = await db.kysely.selectFrom('people').select('id').where('local_id', '=', '004413').executeTakeFirstOrThrow();
        await db.kysely.updateTable('photo_versions').set({ created_at: '2025-06-01T10:00:00.000Z' }).where('person_id', '=', nelson.id).execute();
      });
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
      await fs.rm(dir, { recursive: true, force: true });
    });

    test('--csv: everyone active without a photo or with a flagged one, by school and name, in the photographers\' layout', async () => {
      const r = await ws.cli(['photo', 'retake-list', 'springfield', '--csv']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(csvRows(r.stdout), ['Local ID,Last Name,First Name,Grade,School', '004411,Simpson,Bart,4,101', '004412,Van Houten,Milhouse,4,201']);
    });

    test('a date adds photos delivered before it; a school narrows the list', async () => {
      const all = await ws.cli(['photo', 'retake-list', 'springfield', '--csv', '--before', '2026-01-01']);
      assert.deepEqual(csvRows(all.stdout).slice(1), ['004411,Simpson,Bart,4,101', '004413,Muntz,Nelson,5,201', '004412,Van Houten,Milhouse,4,201']);
      const one = await ws.cli(['photo', 'retake-list', 'springfield', '--csv', '--before', '2026-01-01', '--school', '201']);
      assert.deepEqual(csvRows(one.stdout).slice(1), ['004413,Muntz,Nelson,5,201', '004412,Van Houten,Milhouse,4,201']);
    });

    test('--json gives each person with the reasons the printed list shows', async () => {
      const { people } = await ws.cliJson<{ people: Array<{ localId: string; reasons: string[] }> }>(['photo', 'retake-list', 'springfield', '--before', '2026-01-01']);
      assert.deepEqual(
        people.map((p) => [p.localId, p.reasons]),
        [
          ['004411', ['Photo to check: too dark']],
          ['004413', ['Photo from 2025-06-01']],
          ['004412', ['No photo']],
        ],
      );
    });

    test('a date that is not one is refused with the form to use', async () => {
      const r = await ws.cli(['photo', 'retake-list', 'springfield', '--csv', '--before', '1/9/2026']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /"1\/9\/2026" is not a date: give it as YYYY-MM-DD/);
      assert.equal(r.stdout, '');
    });
  });
}
