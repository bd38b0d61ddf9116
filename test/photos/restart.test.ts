import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { opensshSftp } from '../helpers/openssh.js';
import { addPeople, District, PASSWORD, withDb } from './harness.js';

const COUNT = 500;
const localId = (i: number) => String(200000 + i);

for (const dialect of DIALECTS) {
  describe(`a server killed in the middle of a 500-photo delivery (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard | undefined;
    let tmp: string;
    const shaOf = new Map<string, string>();

    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('springfield', PASSWORD);
      await addPeople(
        ws,
        'springfield',
        Array.from({ length: COUNT }, (_, i) => ({ localId: localId(i), firstName: 'Student', lastName: String(i) })),
      );
      tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'restart-'));
      for (let i = 0; i < COUNT; i++) {
        const background = { r: i & 0xff, g: (i >> 8) * 120, b: 90 };
        const bytes = await sharp({ create: { width: 600, height: 800, channels: 3, background } }).jpeg({ quality: 80 }).toBuffer();
        await fs.writeFile(path.join(tmp, `${localId(i)}.jpg`), bytes);
        shaOf.set(`${localId(i)}.jpg`, createHash('sha256').update(bytes).digest('hex'));
      }
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
      if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    });

    test('every photo ends up processed exactly once: one outcome and one version each', async () => {
      const token = await ws.token('springfield');
      server = await ws.start();
      let district = new District(server, 'springfield', token);
      const names = [...shaOf.keys()];
      const put = (list: string[]) =>
        opensshSftp(
          { port: district.server.sftpPort, username: 'springfield', password: PASSWORD },
          list.map((n) => `put ${path.join(tmp, n)} idphotos/${n}`),
        );

      const uploading = put(names);
      const deadline = Date.now() + 60_000;
      while ((await district.events()).length < 150 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await server.crash();
      await uploading; // fails part-way: the connection is gone

      server = await ws.start();
      district = new District(server, 'springfield', token);
      const delivered = new Set((await district.events()).map((e) => e.file));
      const missing = names.filter((n) => !delivered.has(n));
      if (missing.length > 0) {
        const r = await put(missing);
        assert.equal(r.code, 0, r.output);
      }

      const events = await district.settled(0, COUNT, 120_000);
      const perFile = new Map<string, number>();
      for (const e of events) perFile.set(e.file, (perFile.get(e.file) ?? 0) + 1);
      assert.deepEqual([...perFile].filter(([, n]) => n !== 1), [], 'one event per photo');
      assert.equal(perFile.size, COUNT);
      assert.deepEqual(events.filter((e) => e.outcome !== 'linked').map((e) => [e.file, e.outcome, e.message]), []);

      const versions = await withDb(ws, (db) =>
        db.kysely
          .selectFrom('photo_versions')
          .innerJoin('people', 'people.id', 'photo_versions.person_id')
          .select(['people.local_id', 'photo_versions.original_sha256'])
          .execute(),
      );
      assert.equal(versions.length, COUNT, 'one version per photo');
      for (const v of versions) assert.equal(v.original_sha256, shaOf.get(`${v.local_id}.jpg`), v.local_id);
      for (const i of [0, 137, 499]) assert.equal((await district.person(localId(i))).photo?.sha256, shaOf.get(`${localId(i)}.jpg`));
    });
  });
}
