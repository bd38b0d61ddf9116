import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { allCheckoutsOfDevice } from '../../src/checkouts/history.js';
import { openDb } from '../../src/db/db.js';
import { allDevicesMatching, findDevice } from '../../src/devices/devices.js';
import { allIncidentsMatching } from '../../src/incidents/incidents.js';
import { allPeopleMatching } from '../../src/people/people.js';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { insertPeople, type TestPerson } from '../helpers/people.js';
import { WebClient } from '../helpers/webClient.js';

const TECH = { email: 'edna@springfield.k12.us', password: 'apple-polish-42' };
const TODAY = () => new Date().toISOString().slice(0, 10);

/** A CSV download as rows of cells (header first), after checking it is a CSV attachment named for the district, list and day. */
async function csvOf(web: WebClient, path: string, list: string): Promise<string[][]> {
  const res = await web.fetch(path);
  assert.equal(res.status, 200, `${path} answered ${res.status}`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
  assert.equal(res.headers.get('content-disposition'), `attachment; filename="springfield-${list}-${TODAY()}.csv"`);
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a byte-order mark, so Excel reads the accents');
  return parse(bytes.subarray(3).toString('utf8')) as string[][];
}

for (const dialect of DIALECTS) {
  describe(`CSV exports, sorting and printouts (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let token: string;
    let web: WebClient;
    const api = async (path: string, body: unknown) => {
      const res = await fetch(server.url(path), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.ok(res.status < 300, `${path} answered ${res.status}: ${await res.clone().text()}`);
      return (await res.json()) as Record<string, unknown>;
    };

    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('springfield');
      const r = await ws.cli(['staff', 'create', 'springfield', '--email', TECH.email, '--password', TECH.password, '--role', 'technician']);
      assert.equal(r.code, 0, r.stderr);
      await insertPeople(ws, 'springfield', [
        { localId: '004410', firstName: 'Lisa', lastName: 'Simpson', grade: '2', school: '101', email: 'lisa@springfield.k12.us' },
        { localId: '004411', firstName: 'Bart', lastName: 'Simpson', grade: '4', school: '101' },
        { localId: '004412', firstName: '=HYPERLINK("http://evil")', lastName: 'Simpson', grade: '4', school: '101' },
        { localId: '004413', firstName: 'Milhouse', lastName: 'Van Houten', grade: '4', school: '102' },
        { localId: 'T-0007', firstName: 'Edna', lastName: 'Krabappel', role: 'staff', school: '101', email: '@edna' },
      ]);
      // 2,400 Smiths more: the export reads them in pages of 1,000 and must neither skip nor repeat anyone across a page's edge.
      const many: TestPerson[] = Array.from({ length: 2400 }, (_, i) => ({
        localId: `S${String(i).padStart(5, '0')}`,
        firstName: `Kid${String(i % 7)}`,
        lastName: 'Smith',
        grade: '9',
        school: '201',
      }));
      for (let i = 0; i < many.length; i += 400) await insertPeople(ws, 'springfield', many.slice(i, i + 400));
      server = await ws.start();
      token = await ws.token('springfield');
      web = new WebClient(server);
      await web.signIn(TECH.email, TECH.password);
      await api('/api/v1/devices', { assetTag: 'LT-1001', serialNumber: 'SN-1', model: 'Chromebook 3100' });
      await api('/api/v1/devices', { assetTag: 'LT-1002', serialNumber: '+1-555', model: 'Chromebook 3100' });
      await api('/api/v1/devices', { assetTag: 'IP-0001', serialNumber: 'SN-3', model: 'iPad' });
      await api('/api/v1/checkouts', { assetTag: 'LT-1001', localId: '004411' });
      await api('/api/v1/checkins', { assetTag: 'LT-1001' });
      await api('/api/v1/checkouts', { assetTag: 'LT-1001', localId: '004410' });
      await api('/api/v1/incidents', { assetTag: 'LT-1001', localId: '004410', type: 'damage', description: '-cracked screen, @home' });
      await api('/api/v1/incidents', { assetTag: 'IP-0001', localId: '004413', type: 'theft', description: 'Taken from a locker' });
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
    });

    test('People: the CSV holds exactly the filtered rows, schools by name where known, formulas neutralised', async () => {
      const rows = await csvOf(web, '/people.csv?q=simpson&school=101', 'people');
      assert.deepEqual(rows[0], ['Local ID', 'First name', 'Last name', 'Role', 'School', 'Grade', 'Email', 'Status']);
      assert.deepEqual(
        rows.slice(1).map((r) => [r[0], r[1]]),
        [
          ['004412', `'=HYPERLINK("http://evil")`],
          ['004411', 'Bart'],
          ['004410', 'Lisa'],
        ],
      );
      const staff = await csvOf(web, '/people.csv?role=staff', 'people');
      assert.deepEqual(staff.slice(1), [['T-0007', 'Edna', 'Krabappel', 'Staff', '101', '', "'@edna", 'Active']]);
    });

    test('People: a large export reads every match once, in the list order, across keyset pages', async () => {
      const rows = (await csvOf(web, '/people.csv?school=201', 'people')).slice(1);
      assert.equal(rows.length, 2400);
      assert.equal(new Set(rows.map((r) => r[0])).size, 2400);
      const keys = rows.map((r) => `${r[2]}|${r[1]}|${r[0]}`);
      assert.deepEqual(keys, [...keys].sort());
      const byId = (await csvOf(web, '/people.csv?school=201&sort=-localId', 'people')).slice(1).map((r) => r[0]);
      assert.equal(byId.length, 2400);
      assert.equal(byId[0], 'S02399');
      assert.equal(byId[2399], 'S00000');
    });

    test('People: sorting by a column turns the page round and keeps the filters, the pager and the CSV link', async () => {
      const first = (html: string) => /<a href="\/people\/([^"]+)">/.exec(html)?.[1];
      const asc = await web.page('/people?school=101');
      assert.equal(first(asc.html), 'T-0007');
      assert.match(asc.html, /<th scope="col" aria-sort="ascending"><a class="sort" href="\/people\?school=101&amp;active=yes&amp;sort=-name">Name/);
      const desc = await web.page('/people?school=101&sort=-name');
      assert.equal(first(desc.html), '004410');
      assert.match(desc.html, /href="\/people\.csv\?school=101&amp;active=yes&amp;sort=-name"/);
      const big = await web.page('/people?school=201&sort=localId');
      assert.equal(first(big.html), 'S00000');
      assert.match(big.html, /Showing 1–100 of 2,400 people/);
      assert.match(big.html, /href="\/people\?school=201&amp;active=yes&amp;sort=localId&amp;page=2"/);
      const page2 = await web.page('/people?school=201&sort=localId&page=2');
      assert.equal(first(page2.html), 'S00100');
      assert.match(page2.html, /Showing 101–200 of 2,400 people/);
    });

    test('Devices: the CSV follows the search and says who has each device', async () => {
      const rows = await csvOf(web, '/devices.csv?q=lt-', 'devices');
      assert.deepEqual(rows.slice(1), [
        ['LT-1001', 'SN-1', 'Chromebook 3100', 'Checked out', '004410', 'Lisa Simpson', rows[1]![6]!],
        ['LT-1002', "'+1-555", 'Chromebook 3100', 'Available', '', '', ''],
      ]);
      assert.match(rows[1]![6]!, /^\d{4}-\d\d-\d\dT.*Z$/);
      const desc = await web.page('/devices?sort=-assetTag');
      assert.deepEqual([...desc.html.matchAll(/<td><a href="\/devices\/([^"]+)">/g)].map((m) => m[1]), ['LT-1002', 'LT-1001', 'IP-0001']);
      assert.match(desc.html, /3 devices/);
    });

    test('Incidents: the CSV follows the filters', async () => {
      const rows = await csvOf(web, '/incidents.csv?type=damage', 'incidents');
      assert.equal(rows.length, 2);
      assert.deepEqual(rows[1]!.slice(3), ['Damage', 'Open', 'LT-1001', '004410', 'Lisa Simpson', "'-cracked screen, @home"]);
      const all = await csvOf(web, '/incidents.csv?sort=opened', 'incidents');
      assert.deepEqual(all.slice(1).map((r) => r[5]), ['LT-1001', 'IP-0001']);
    });

    test("a device's history: every check-out and incident, from its profile", async () => {
      const profile = await web.page('/devices/LT-1001');
      assert.match(profile.html, /href="\/devices\/LT-1001\/history\.csv"/);
      const rows = await csvOf(web, '/devices/lt-1001/history.csv', 'device-LT-1001-history');
      assert.deepEqual(
        rows.slice(1).map((r) => [r[0], r[2], r[3]]),
        [
          ['Check-out', '004410', 'Lisa Simpson'],
          ['Check-out', '004411', 'Bart Simpson'],
          ['Incident', '004410', 'Lisa Simpson'],
        ],
      );
      assert.equal(rows[2]![6], 'api', 'the returned check-out says who checked it in');
      assert.equal((await web.fetch('/devices/NOPE/history.csv')).status, 404);
    });

    test('keyset pages of one row each still read every row once, in order, whichever way and with a search', async () => {
      const db = await openDb({ dataDir: ws.dataDir, databaseUrl: ws.databaseUrl });
      try {
        const { id } = await db.kysely.selectFrom('districts').select('id').where('slug', '=', 'springfield').executeTakeFirstOrThrow();
        const all = async <T>(pages: AsyncIterable<T[]>, pick: (t: T) => unknown) => {
          const out: unknown[] = [];
          for await (const page of pages) out.push(...page.map(pick));
          return out;
        };
        assert.deepEqual(await all(allDevicesMatching(db, id, { sort: { by: 'assetTag', dir: 'desc' } }, 1), (d) => d.assetTag), ['LT-1002', 'LT-1001', 'IP-0001']);
        assert.deepEqual(await all(allDevicesMatching(db, id, { search: 'lt' }, 1), (d) => d.assetTag), ['LT-1001', 'LT-1002']);
        const opened = await all(allIncidentsMatching(db, id, { sort: { by: 'opened', dir: 'asc' } }, 1), (i) => i.description);
        assert.deepEqual(opened, ['-cracked screen, @home', 'Taken from a locker']);
        assert.deepEqual(await all(allIncidentsMatching(db, id, {}, 1), (i) => i.description), [...opened].reverse());
        const simpsons = await all(allPeopleMatching(db, id, { text: 'simpson', sort: { by: 'name', dir: 'desc' } }, 1), (p) => p.localId);
        assert.deepEqual(simpsons, ['004410', '004411', '004412']);
        const smiths = await all(allPeopleMatching(db, id, { text: 'smith', school: '201', sort: { by: 'localId', dir: 'asc' } }, 700), (p) => p.localId);
        assert.equal(smiths.length, 2400);
        assert.equal(smiths[700], 'S00700');
        const device = (await findDevice(db, id, 'LT-1001'))!;
        assert.deepEqual(await all(allCheckoutsOfDevice(db, id, device.id, 1), (c) => c.checkedIn === null), [true, false]);
      } finally {
        await db.close();
      }
    });

    test('the receipt and the damage form show the device and the person, and only this district\'s', async () => {
      const profile = await web.page('/devices/LT-1001');
      const receipt = /href="(\/checkouts\/\d+\/receipt)"/.exec(profile.html)?.[1];
      assert.ok(receipt, 'the current check-out links its receipt');
      const page = await web.page(receipt);
      assert.equal(page.status, 200);
      assert.match(page.html, /<h1>Device check-out receipt<\/h1>/);
      assert.match(page.html, /<dt>Asset tag<\/dt><dd>LT-1001<\/dd>/);
      assert.match(page.html, /<dt>Name<\/dt><dd>Lisa Simpson<\/dd>/);
      assert.match(page.html, /Signature of the student or parent/);
      assert.match(page.html, /<button type="button" data-print>Print<\/button>/);
      assert.equal((await web.page('/checkouts/999999/receipt')).status, 404);

      const incident = await web.page('/incidents?type=theft');
      const id = /href="\/incidents\/(\d+)"/.exec(incident.html)?.[1];
      const form = await web.page(`/incidents/${id}/damage-form`);
      assert.equal(form.status, 200);
      assert.match(form.html, /<dd>IP-0001<\/dd>/);
      assert.match(form.html, /Milhouse Van Houten/);
      assert.match(form.html, /Taken from a locker/);
      assert.match(form.html, /Milhouse Van Houten did not hold this device/);
    });
  });
}
