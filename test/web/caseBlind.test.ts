import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openDb } from '../../src/db/db.js';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { insertPeople } from '../helpers/people.js';
import { WebClient } from '../helpers/webClient.js';

const TECH = { email: 'edna@springfield.k12.us', password: 'apple-polish-42' };

/**
 * Puts the devices table back as it was before migration 0090 and adds a
 * pair of tags that differ only in case, as a district may hold from
 * before tags were compared ignoring case; the server's start then runs 0090
 * on them.
 */
async function seedCaseTwinsBefore0090(ws: Workspace): Promise<void> {
  const db = await openDb({ dataDir: ws.dataDir, databaseUrl: ws.databaseUrl });
  try {
    const k = db.kysely;
    await sql`drop index devices_asset_tag_key_unique`.execute(k);
    await sql`alter table devices drop column asset_tag_key`.execute(k);
    await sql`delete from kysely_migration where name = '0090_asset_tag_any_case'`.execute(k);
    const district = await k.selectFrom('districts').select('id').where('slug', '=', 'springfield').executeTakeFirstOrThrow();
    const now = new Date().toISOString();
    for (const tag of ['LT-1001', 'lt-1001', 'LT-1002']) {
      await sql`insert into devices (district_id, asset_tag, serial_number, model, state, created_at, updated_at)
        values (${district.id}, ${tag}, '', 'Chromebook 3100', 'available', ${now}, ${now})`.execute(k);
    }
  } finally {
    await db.close();
  }
}

for (const dialect of DIALECTS) {
  describe(`asset tags and Local IDs in any letter case (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let token: string;
    let web: WebClient;
    const api = (path: string, init: RequestInit = {}) =>
      fetch(server.url(path), { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });

    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('springfield');
      const r = await ws.cli(['staff', 'create', 'springfield', '--email', TECH.email, '--password', TECH.password, '--role', 'technician']);
      assert.equal(r.code, 0, r.stderr);
      await insertPeople(ws, 'springfield', [
        { localId: 'T-0007', firstName: 'Edna', lastName: 'Krabappel', role: 'staff' },
        { localId: 'a123', firstName: 'Ann', lastName: 'Lower' },
        { localId: 'A123', firstName: 'Ann', lastName: 'Upper' },
        { localId: 'Bx-7', firstName: 'Bo', lastName: 'Upper' },
        { localId: 'bX-7', firstName: 'Bo', lastName: 'Other' },
      ]);
      await seedCaseTwinsBefore0090(ws);
      server = await ws.start();
      token = await ws.token('springfield');
      web = new WebClient(server);
      await web.signIn(TECH.email, TECH.password);
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
    });

    test('the migration keeps both devices of a case-only pair; a tag in any case finds the older one, the other by its exact tag', async () => {
      const upper = await api('/api/v1/devices/lt-1002');
      assert.equal(upper.status, 200);
      assert.equal(((await upper.json()) as { assetTag: string }).assetTag, 'LT-1002');
      const older = (await (await api('/api/v1/devices/Lt-1001')).json()) as { assetTag: string };
      assert.equal(older.assetTag, 'LT-1001');
      const twin = (await (await api('/api/v1/devices/lt-1001')).json()) as { assetTag: string };
      assert.equal(twin.assetTag, 'lt-1001');
    });

    test('the device page of a case twin explains it, and the older one names its twin', async () => {
      const twin = await web.page('/devices/lt-1001');
      assert.equal(twin.status, 200);
      assert.match(twin.html, /this device and <a href="\/devices\/LT-1001">LT-1001<\/a> were added as different devices/);
      assert.match(twin.html, /finds LT-1001 \(not this record/);
      const older = await web.page('/devices/LT-1001');
      assert.match(older.html, /this device and <a href="\/devices\/lt-1001">lt-1001<\/a> were added/);
      const single = await web.page('/devices/lt-1002');
      assert.equal(single.status, 200);
      assert.match(single.html, /<h1>Device LT-1002<\/h1>/);
      assert.doesNotMatch(single.html, /case-twin/);
    });

    test('adding a device whose tag differs from one there only in case is refused with 409 and a message; the tag is stored as entered', async () => {
      const created = await api('/api/v1/devices', { method: 'POST', body: JSON.stringify({ assetTag: 'Cb-77', serialNumber: 'S77', model: 'Chromebook' }) });
      assert.equal(created.status, 201);
      assert.equal(((await created.json()) as { assetTag: string }).assetTag, 'Cb-77');
      const again = await api('/api/v1/devices', { method: 'POST', body: JSON.stringify({ assetTag: 'CB-77', serialNumber: 'S78', model: 'Chromebook' }) });
      assert.equal(again.status, 409);
      const body = JSON.stringify(await again.json());
      assert.match(body, /Device Cb-77 already exists, and asset tags do not depend on letter case/);
      const stored = (await (await api('/api/v1/devices/cb-77')).json()) as { assetTag: string; serialNumber: string };
      assert.deepEqual([stored.assetTag, stored.serialNumber], ['Cb-77', 'S77'], 'the first device is untouched');
    });

    test('check-out and check-in take a tag and a Local ID in any case', async () => {
      const out = await api('/api/v1/checkouts', { method: 'POST', body: JSON.stringify({ assetTag: 'cb-77', localId: 't-0007' }) });
      assert.equal(out.status, 201, await out.clone().text());
      const d = (await (await api('/api/v1/devices/CB-77')).json()) as { checkedOutTo: { localId: string } | null };
      assert.equal(d.checkedOutTo?.localId, 'T-0007');
      const back = await api('/api/v1/checkins', { method: 'POST', body: JSON.stringify({ assetTag: 'CB-77' }) });
      assert.equal(back.status, 200);
    });

    test('a Local ID in any case finds the person, unless the roster holds two that differ only in case', async () => {
      const edna = await api('/api/v1/people/t-0007');
      assert.equal(edna.status, 200);
      assert.equal(((await edna.json()) as { localId: string }).localId, 'T-0007');
      const exact = (await (await api('/api/v1/people/A123')).json()) as { lastName: string };
      assert.equal(exact.lastName, 'Upper');
      assert.equal((await api('/api/v1/people/a123')).status, 200);
      const ambiguous = await api('/api/v1/people/bx-7');
      assert.equal(ambiguous.status, 404, 'Bx-7 and bX-7 are not guessed between');
      const page = await web.page('/people/t-0007');
      assert.equal(page.status, 200);
      assert.match(page.html, /Edna Krabappel/);
    });

    test('the header search jumps to an exact tag or Local ID in any case, and lists matches otherwise', async () => {
      const jump = async (q: string) => {
        const res = await web.fetch(`/search?q=${encodeURIComponent(q)}`);
        return [res.status, res.headers.get('location')];
      };
      assert.deepEqual(await jump('lt-1002'), [303, '/devices/LT-1002']);
      assert.deepEqual(await jump(' t-0007 '), [303, '/people/T-0007']);
      assert.deepEqual(await jump('A123'), [303, '/people/A123']);
      const listed = await web.page('/search?q=lt-100');
      assert.equal(listed.status, 200);
      assert.match(listed.html, /<a href="\/devices\/LT-1001">LT-1001<\/a>/);
      assert.match(listed.html, /<a href="\/devices\/LT-1002">LT-1002<\/a>/);
      const ambiguous = await web.page('/search?q=bx-7');
      assert.equal(ambiguous.status, 200, 'two people differ only in case: both listed, neither guessed');
      assert.match(ambiguous.html, /Bo Upper/);
      assert.match(ambiguous.html, /Bo Other/);
      const nothing = await web.page('/search?q=zzz');
      assert.equal(nothing.status, 200);
      assert.match(nothing.html, /No one's name, Local ID or e-mail starts with “zzz”/);
      const signedOut = await fetch(server.url('/search?q=LT-1002'), { redirect: 'manual' });
      assert.notEqual(signedOut.headers.get('location'), '/devices/LT-1002', 'signed out, the search tells nothing');
      assert.notEqual(signedOut.status, 200);
    });
  });
}
