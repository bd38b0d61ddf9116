import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openDb } from '../../src/db/db.js';
import { upsertSchools } from '../../src/roster/index.js';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { givePhoto, insertPeople } from '../helpers/people.js';
import { WebClient } from '../helpers/webClient.js';

const PASSWORD = 'apple-polish-42';

for (const dialect of DIALECTS) {
  describe(`people, devices, desk and incident pages (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let tech: WebClient;

    const staff = async (slug: string, email: string, role: string) => {
      const r = await ws.cli(['staff', 'create', slug, '--email', email, '--password', PASSWORD, '--role', role]);
      assert.equal(r.code, 0, r.stderr);
    };

    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('springfield');
      await ws.district('shelbyville');
      await staff('springfield', 'edna@springfield.k12.us', 'technician');
      await staff('springfield', 'otto@springfield.k12.us', 'viewer');
      await staff('shelbyville', 'tech@shelbyville.k12.us', 'admin');
      await insertPeople(ws, 'springfield', [
        { localId: '004410', firstName: 'Lisa', lastName: 'Simpson', grade: '2', school: 'Springfield Elementary', email: 'lisa@springfield.k12.us' },
        { localId: '004411', firstName: 'Bart', lastName: 'Simpson', grade: '4', school: 'Springfield Elementary' },
        { localId: '004412', firstName: '<script>alert(1)</script>', lastName: 'Jones', grade: '4', school: 'Springfield Elementary' },
        { localId: '009999', firstName: 'Martin', lastName: 'Prince', active: false, school: 'West Springfield' },
      ]);
      await insertPeople(ws, 'shelbyville', [{ localId: '777001', firstName: 'Sherri', lastName: 'Mackleberry' }]);
      server = await ws.start();
      tech = new WebClient(server);
      await tech.signIn('edna@springfield.k12.us', PASSWORD);
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
    });

    test('the People page lists and searches the district\'s people, escaping what they are called', async () => {
      const all = await tech.page('/people');
      assert.equal(all.status, 200);
      assert.match(all.html, /Lisa Simpson/);
      assert.match(all.html, /&lt;script&gt;alert\(1\)&lt;\/script&gt; Jones/);
      assert.doesNotMatch(all.html, /<script>alert/);
      assert.doesNotMatch(all.html, /Sherri/, 'another district\'s people never show');
      assert.match(all.html, /<nav id="main-nav" aria-label="Main">/);
      assert.doesNotMatch(all.html, /Martin Prince/, 'the list starts with active people');
      assert.match((await tech.page('/people?active=all')).html, /Martin Prince/);

      const byId = await tech.page('/people?q=004411');
      assert.match(byId.html, /Bart Simpson/);
      assert.doesNotMatch(byId.html, /Lisa Simpson/);
      const byEmail = await tech.page('/people?q=lisa%40springfield');
      assert.match(byEmail.html, /Lisa Simpson/);
      assert.doesNotMatch(byEmail.html, /Bart Simpson/);
      const inactive = await tech.page('/people?active=no');
      assert.match(inactive.html, /Martin Prince/);
      assert.doesNotMatch(inactive.html, /Lisa Simpson/);
      const school = await tech.page('/people?school=West+Springfield&active=all');
      assert.match(school.html, /Martin Prince/);
      assert.doesNotMatch(school.html, /Bart Simpson/);
      const noPhoto = await tech.page('/people?photo=no&grade=2');
      assert.match(noPhoto.html, /Lisa Simpson/, 'nobody has a photo yet');
    });

    test('the School and Grade filters offer each of this district\'s values once, in order', async () => {
      const { html } = await tech.page('/people');
      const options = (id: string) => {
        const select = new RegExp(`<select id="${id}"[^>]*>(.*?)</select>`, 's').exec(html)?.[1] ?? '';
        return [...select.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]);
      };
      assert.deepEqual(options('school'), ['', 'Springfield Elementary', 'West Springfield']);
      assert.deepEqual(options('grade'), ['', '2', '4'], 'Martin has no grade; Shelbyville\'s people are not counted');
    });

    test('schools show by the name the roster gave them', async () => {
      const db = await openDb({ dataDir: ws.dataDir, databaseUrl: ws.databaseUrl });
      try {
        const d = await db.kysely.selectFrom('districts').select('id').where('slug', '=', 'springfield').executeTakeFirstOrThrow();
        await upsertSchools(db.kysely, d.id, [{ code: 'West Springfield', name: 'West Springfield High' }], new Date().toISOString());
      } finally {
        await db.close();
      }
      const list = await tech.page('/people?active=no');
      assert.match(list.html, /<td>West Springfield High<\/td>/);
      assert.match(list.html, /<option value="West Springfield">West Springfield High<\/option>/);
      assert.match((await tech.page('/people/009999')).html, /<dt>School<\/dt><dd>West Springfield High<\/dd>/);
    });

    test('a User Profile shows the person, initials without a photo, and another district\'s Local ID is 404', async () => {
      const p = await tech.page('/people/004410');
      assert.equal(p.status, 200);
      assert.match(p.html, /<h1>Lisa Simpson<\/h1>/);
      assert.match(p.html, /Springfield Elementary/);
      assert.match(p.html, /lisa@springfield\.k12\.us/);
      assert.match(p.html, /class="face face-profile face-none" aria-hidden="true">LS</);
      assert.doesNotMatch(p.html, /<img[^>]*alt="Lisa Simpson"/, 'no photo, no img');
      assert.equal((await tech.page('/people/777001')).status, 404);
      assert.equal((await tech.page('/people/nobody')).status, 404);
    });

    test('at the desk: asset tag, then person, then a confirmation showing them, then saved; the Device Profile shows the holder', async () => {
      assert.equal((await tech.form('/devices', { assetTag: 'LT-0100', serialNumber: 'SN-1', model: 'Chromebook 3100' })).status, 303);
      const step2 = await tech.page('/desk?assetTag=LT-0100');
      assert.equal(step2.status, 200);
      assert.match(step2.html, /Scan the ID card, or type a Local ID, email or name/);

      const several = await tech.page('/desk?assetTag=LT-0100&person=Simpson');
      assert.match(several.html, /Who is it\?/);
      assert.match(several.html, /href="\/desk\?assetTag=LT-0100&amp;person=004410"/);

      const confirm = await tech.page('/desk?assetTag=LT-0100&person=4410');
      assert.match(confirm.html, /Confirm check-out/);
      assert.match(confirm.html, /<p class="big">Lisa Simpson<\/p>/);
      assert.match(confirm.html, /face-desk face-none/);

      assert.equal((await tech.form('/desk/checkout', { assetTag: 'LT-0100', localId: '004410' }, { csrf: false })).status, 403, 'no CSRF token, no check-out');
      const saved = await tech.form('/desk/checkout', { assetTag: 'LT-0100', localId: '004410' });
      assert.equal(saved.status, 303);
      const after = await tech.page(saved.headers.get('location')!);
      assert.match(after.html, /LT-0100 is checked out to Lisa Simpson/);

      const device = await tech.page('/devices/LT-0100');
      assert.equal(device.status, 200);
      assert.match(device.html, /Checked out to/);
      assert.match(device.html, /<a href="\/people\/004410">Lisa Simpson<\/a>/);
      assert.match(device.html, /Since <time/);
      const profile = await tech.page('/people/004410');
      assert.match(profile.html, /Devices checked out now[\s\S]*LT-0100/);

      const again = await tech.form('/desk/checkout', { assetTag: 'LT-0100', localId: '004411' });
      assert.equal(again.status, 409);
      assert.match(await again.text(), /already checked out to Lisa Simpson/);
      const inactive = await tech.form('/devices', { assetTag: 'LT-0101' });
      assert.equal(inactive.status, 303);
      const inactiveConfirm = await tech.page('/desk?assetTag=LT-0101&person=009999');
      assert.match(inactiveConfirm.html, /Martin Prince is inactive in the roster/);
      assert.doesNotMatch(inactiveConfirm.html, /Confirm check-out/);
      const refused = await tech.form('/desk/checkout', { assetTag: 'LT-0101', localId: '009999' });
      assert.equal(refused.status, 409);
      assert.match(await refused.text(), /Martin Prince \(009999\) is inactive/);
    });

    test('check-in at the desk takes the asset tag alone', async () => {
      await tech.form('/devices', { assetTag: 'LT-0200' });
      await tech.form('/desk/checkout', { assetTag: 'LT-0200', localId: '004411' });
      const out = await tech.page('/desk?assetTag=LT-0200');
      assert.match(out.html, /LT-0200<\/a> is checked out/);
      const res = await tech.form('/desk/checkin', { assetTag: 'LT-0200' });
      assert.equal(res.status, 303);
      assert.match((await tech.page(res.headers.get('location')!)).html, /LT-0200 is checked in from Bart Simpson/);
      assert.match((await tech.page('/devices/LT-0200')).html, /Nobody: the device is in stock/);
      const unknown = await tech.form('/desk/checkin', { assetTag: 'NOPE' });
      assert.equal(unknown.status, 404);
      assert.match(await unknown.text(), /No device has asset tag NOPE/);
    });

    test('devices are listed, edited and retired; a retired device cannot be checked out', async () => {
      await tech.form('/devices', { assetTag: 'LT-0300', model: 'iPad' });
      assert.match((await tech.page('/devices?q=ipad')).html, /LT-0300/);
      await tech.page('/devices/LT-0300');
      const edit = await tech.submit('/devices/LT-0300', { serialNumber: 'SN-300', model: 'iPad 9', state: 'available' });
      assert.equal(edit.posted, 303, 'a saved edit redirects, so a reload does not post it again');
      assert.match(edit.html, /Saved\./);
      assert.match(edit.html, /SN-300/);
      assert.doesNotMatch((await tech.page(edit.location!)).html, /Saved\./, 'reloading shows the page without the notice');
      // Retiring asks first, on a page that changes nothing by itself.
      const ask = await tech.page('/devices/LT-0300/retire');
      assert.equal(ask.status, 200);
      assert.match(ask.html, /Retire LT-0300\?/);
      assert.match(ask.html, /will no longer be checked out/);
      assert.match(ask.html, /<a class="button secondary" href="\/devices\/LT-0300">Cancel<\/a>/);
      assert.match((await tech.page('/devices/LT-0300')).html, /<dt>Status<\/dt><dd>Available<\/dd>/, 'asking retires nothing');
      const retired = await tech.submit('/devices/LT-0300/retire', {});
      assert.equal(retired.posted, 303);
      assert.match(retired.html, /Retired: it can no longer be checked out/);
      const refused = await tech.form('/desk/checkout', { assetTag: 'LT-0300', localId: '004410' });
      assert.equal(refused.status, 409);
      assert.match(await refused.text(), /marked retired/);
      const bulk = await tech.submit('/devices/bulk', { csv: 'asset tag,serial number,model\nLT-0400,S4,Chromebook\nLT-0401,S5,Chromebook\nLT-0300,dup,dup\n' });
      assert.equal(bulk.posted, 303);
      const text = bulk.html;
      assert.match(text, /2 devices added/);
      assert.match(text, /line 4: A device with asset tag LT-0300 already exists/);
    });

    test('an incident opened for a device and its person shows both, and its timeline records status changes', async () => {
      await tech.form('/devices', { assetTag: 'LT-0500', model: 'Chromebook' });
      await tech.page('/incidents/new?assetTag=LT-0500&localId=004411');
      const res = await tech.form('/incidents', { assetTag: 'LT-0500', localId: '004411', type: 'damage', description: 'Cracked <b>screen</b>' });
      assert.equal(res.status, 303);
      const [location, flash] = res.headers.get('location')!.split('?');
      assert.match(location!, /^\/incidents\/\d+$/);
      assert.match(flash!, /^flash=/);
      const shelbyville = new WebClient(server);
      await shelbyville.signIn('tech@shelbyville.k12.us', PASSWORD);
      assert.doesNotMatch((await shelbyville.page(`/people?${flash!}`)).html, /opened/, 'another session cannot read the flash');
      const page = await tech.page(`${location!}?${flash!}`);
      assert.match(page.html, /Incident #\d+ opened\./);
      assert.match(page.html, /Incident #\d+: Damage/);
      assert.match(page.html, /Bart Simpson/);
      assert.match(page.html, /LT-0500/);
      assert.match(page.html, /Cracked &lt;b&gt;screen&lt;\/b&gt;/);
      const note = await tech.form(`${location!}/notes`, { status: 'in-repair', note: 'Sent to the repair shop' });
      assert.equal(note.status, 303);
      const updated = await tech.page(location!);
      assert.match(updated.html, /Status: In repair/);
      assert.match(updated.html, /Sent to the repair shop/);
      const list = await tech.page('/incidents?status=in-repair');
      assert.match(list.html, /Bart Simpson/);
      assert.doesNotMatch((await tech.page('/incidents?status=closed')).html, /Bart Simpson/);

      const other = new WebClient(server);
      await other.signIn('tech@shelbyville.k12.us', PASSWORD);
      assert.equal((await other.page(location!)).status, 404, 'another district\'s incident is 404');
      assert.equal((await other.page('/devices/LT-0500')).status, 404, 'and its device');
      assert.equal((await other.form(`${location!}/notes`, { note: 'hi' })).status, 404);
    });

    test('with a photo, every page showing the person has an <img> whose alt is their name and whose src is opaque', async () => {
      await givePhoto(ws, 'springfield', '004411', 'opaquekey123');
      const img = /<img class="face face-(thumb|profile|desk)" src="(\/api\/v1\/photos\/opaquekey123\?size=(thumb|profile))" alt="Bart Simpson"[^>]*>/;
      const list = await tech.page('/people?q=Bart');
      const inList = img.exec(list.html);
      assert.ok(inList, 'thumbnail in the People list');
      assert.equal(inList[3], 'thumb');
      assert.match(inList[0], /loading="lazy"/);
      assert.doesNotMatch(inList[2] ?? '', /004411/, 'the URL says nothing about the person');
      assert.match((await tech.page('/people/004411')).html, img);
      assert.match((await tech.page('/people?photo=yes')).html, /Bart Simpson/);
      assert.doesNotMatch((await tech.page('/people?photo=yes')).html, /Lisa Simpson/);

      await tech.form('/devices', { assetTag: 'LT-0600' });
      assert.match((await tech.page('/desk?assetTag=LT-0600&person=004411')).html, img, 'the desk shows the face to confirm');
      await tech.form('/desk/checkout', { assetTag: 'LT-0600', localId: '004411' });
      assert.match((await tech.page('/devices/LT-0600')).html, img, 'the Device Profile shows the holder');
      const incident = await tech.form('/incidents', { assetTag: 'LT-0600', localId: '004411', type: 'loss', description: '' });
      assert.match((await tech.page(incident.headers.get('location')!)).html, img, 'the Incident shows the person');
      assert.doesNotMatch((await tech.page('/people/004410')).html, /<img[^>]*alt="Lisa Simpson"/, 'no photo, no img');
    });

    test('a viewer sees people but cannot use the desk or change anything through the API', async () => {
      const viewer = new WebClient(server);
      await viewer.signIn('otto@springfield.k12.us', PASSWORD);
      assert.equal((await viewer.page('/people')).status, 200);
      assert.equal((await viewer.page('/desk')).status, 403);
      const api = await viewer.fetch('/api/v1/checkouts', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': viewer.csrf },
        body: JSON.stringify({ assetTag: 'LT-0400', localId: '004410' }),
      });
      assert.equal(api.status, 403);
      assert.equal((await viewer.fetch('/api/v1/devices/LT-0400')).status, 200, 'reading is fine');
    });
  });
}
