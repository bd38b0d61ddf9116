import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { addPeople, District, fixturePeople, PACKAGES, PASSWORD, PHOTOS, sftpQuote } from '../photos/harness.js';

interface ApiDelivery {
  id: number;
  source: string;
  by: string;
  startedAt: string;
  finishedAt: string | null;
  parentId: number | null;
  files: number;
  counts: { linked: number; unmatched: number; rejected: number; flagged: number; imported: number; removed: number; pending: number };
}
interface ApiProblem {
  file: string;
  localId: string | null;
  outcome: string;
  reason: string;
}
interface ApiReport extends ApiDelivery {
  problems: ApiProblem[];
  packages: ApiDelivery[];
}

for (const dialect of DIALECTS) {
  describe(`a delivery of mixed files is one report (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let district: District;
    let other: District;

    const get = async <T>(d: District, url: string): Promise<{ status: number; body: T }> => {
      const res = await fetch(server.url(url), { headers: d.auth });
      return { status: res.status, body: (await res.json()) as T };
    };
    const deliveries = async (d = district) => (await get<{ deliveries: ApiDelivery[] }>(d, '/api/v1/deliveries')).body.deliveries;

    /** Until the newest delivery is finished: its session has ended and every file has its outcome. */
    const finished = async (): Promise<ApiDelivery> => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const [newest] = await deliveries();
        if (newest?.finishedAt) return newest;
        if (Date.now() > deadline) assert.fail(`the delivery never finished: ${JSON.stringify(newest)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('springfield', PASSWORD);
      await ws.district('shelbyville', PASSWORD);
      await addPeople(ws, 'springfield', fixturePeople(['100199']));
      const [t1, t2] = [await ws.token('springfield'), await ws.token('shelbyville')];
      server = await ws.start();
      district = new District(server, 'springfield', t1);
      other = new District(server, 'shelbyville', t2);
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
    });

    test('one SFTP session: counts by outcome, and every file not linked with its Local ID and reason', async () => {
      assert.deepEqual(await deliveries(), [], 'no delivery before anything was uploaded');
      // One OpenSSH sftp session: two good photos, one for nobody yet, one that is not a picture, one badly named,
      // a listing (which is not a delivery) and a WinSCP-style temporary name renamed into place.
      await district.sftp([
        `put ${sftpQuote(path.join(PHOTOS, 'valid/004410.jpg'))} idphotos/004410.jpg`,
        `put ${sftpQuote(path.join(PHOTOS, 'valid/004411.jpg'))} idphotos/004411.jpg.filepart`,
        'rename idphotos/004411.jpg.filepart idphotos/004411.jpg',
        `put ${sftpQuote(path.join(PHOTOS, 'unmatched/100199.jpg'))} idphotos/100199.jpg`,
        `put ${sftpQuote(path.join(PHOTOS, 'reject/100112.jpg'))} idphotos/100112.jpg`,
        `put ${sftpQuote(path.join(PHOTOS, 'reject/photo of 100116.jpg'))} ${sftpQuote('idphotos/photo of 100116.jpg')}`,
        'ls idphotos',
      ]);
      const d = await finished();
      const all = await deliveries();
      assert.equal(all.length, 1, 'the whole session is one delivery');
      assert.equal(d.source, 'sftp');
      assert.equal(d.by, 'springfield');
      assert.equal(d.files, 5);
      assert.deepEqual(
        { linked: d.counts.linked, unmatched: d.counts.unmatched, rejected: d.counts.rejected, flagged: d.counts.flagged },
        { linked: 2, unmatched: 1, rejected: 2, flagged: 0 },
      );
      assert.ok(d.finishedAt! >= d.startedAt);

      const { status, body: report } = await get<ApiReport>(district, `/api/v1/deliveries/${d.id}`);
      assert.equal(status, 200);
      const byFile = new Map(report.problems.map((p) => [p.file, p]));
      assert.deepEqual([...byFile.keys()].sort(), ['100112.jpg', '100199.jpg', 'photo of 100116.jpg']);
      assert.equal(byFile.get('100199.jpg')!.outcome, 'unmatched');
      assert.equal(byFile.get('100199.jpg')!.localId, '100199', 'the Local ID the name gives, though nobody has it yet');
      assert.match(byFile.get('100199.jpg')!.reason, /Nobody with Local ID 100199 is in the roster yet/);
      assert.equal(byFile.get('100112.jpg')!.outcome, 'rejected');
      assert.match(byFile.get('100112.jpg')!.reason, /not a picture/);
      assert.match(byFile.get('photo of 100116.jpg')!.reason, /rename it to the person's Local ID/);

      // Another district sees none of it.
      assert.deepEqual(await deliveries(other), []);
      assert.equal((await get(other, `/api/v1/deliveries/${d.id}`)).status, 404);
    });

    test('the CLI shows the same report, the newest by default', async () => {
      const list = await ws.cliJson<{ deliveries: ApiDelivery[] }>(['delivery', 'list', 'springfield']);
      assert.equal(list.deliveries.length, 1);
      const shown = await ws.cliJson<ApiReport>(['delivery', 'show', 'springfield']);
      assert.equal(shown.id, list.deliveries[0]!.id);
      assert.deepEqual(shown.problems.map((p) => p.file).sort(), ['100112.jpg', '100199.jpg', 'photo of 100116.jpg']);
      const text = await ws.cli(['delivery', 'show', 'springfield', String(shown.id)]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /100199\t100199\.jpg\tunmatched\tNobody with Local ID 100199/);
      const missing = await ws.cli(['delivery', 'show', 'springfield', '999999']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /There is no delivery 999999 in this district/);
    });

    test("a photographer's package is a delivery of its own, inside the session that brought it; newest first", async () => {
      await district.upload([path.join(PACKAGES, 'plain-named-photos.zip')]);
      const deadline = Date.now() + 60_000;
      let list: ApiDelivery[];
      for (;;) {
        list = await deliveries();
        if (list.length === 3 && list.every((d) => d.finishedAt)) break;
        if (Date.now() > deadline) assert.fail(`deliveries: ${JSON.stringify(list)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const [pkg, session, first] = list;
      assert.ok(pkg!.id > session!.id && session!.id > first!.id, 'newest first');
      assert.equal(pkg!.source, 'package');
      assert.equal(pkg!.by, 'plain-named-photos.zip');
      assert.equal(pkg!.parentId, session!.id);
      assert.ok(pkg!.files > 0);
      assert.equal(pkg!.counts.linked + pkg!.counts.unmatched + pkg!.counts.rejected + pkg!.counts.flagged, pkg!.files);
      assert.equal(session!.source, 'sftp');
      assert.equal(session!.files, 1, 'the zip itself');
      const report = (await get<ApiReport>(district, `/api/v1/deliveries/${session!.id}`)).body;
      assert.deepEqual(report.packages.map((p) => p.id), [pkg!.id]);
    });
  });
}
