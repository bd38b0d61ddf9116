import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { FIXTURES, Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { WebClient } from '../helpers/webClient.js';

const PASSWORD = 'apple-polish-42';

/** Polls a page until it shows what the test waits for (the intake works in the background). */
async function pageUntil(b: WebClient, p: string, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { html } = await b.page(p);
    if (pattern.test(html)) return html;
    if (Date.now() > deadline) throw new Error(`${p} never showed ${pattern}:\n${html.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Uploads files (a path, or a path and the name to upload it as) the way the desk's form does. */
async function upload(b: WebClient, p: string, files: Array<string | [string, string]>, opts: { csrf: 'field' | 'header' | 'none' }) {
  const form = new FormData();
  if (opts.csrf === 'field') form.append('_csrf', b.csrf);
  for (const f of files) {
    const [file, name] = typeof f === 'string' ? [f, path.basename(f)] : f;
    form.append('files', new Blob([await fs.readFile(file)]), name);
  }
  return b.fetch(p, { method: 'POST', body: form, headers: opts.csrf === 'header' ? { 'x-csrf-token': b.csrf, accept: 'application/json' } : {} });
}

for (const dialect of DIALECTS) {
  describe(`the Photos and Rosters desks (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let admin: WebClient;

    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('springfield');
      for (const [email, role] of [
        ['skinner@springfield.k12.us', 'admin'],
        ['otto@springfield.k12.us', 'viewer'],
      ]) {
        const r = await ws.cli(['staff', 'create', 'springfield', '--email', email!, '--password', PASSWORD, '--role', role!]);
        assert.equal(r.code, 0, r.stderr);
      }
      server = await ws.start();
      admin = new WebClient(server);
      await admin.signIn('skinner@springfield.k12.us', PASSWORD);
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
    });

    test('a roster uploaded from the browser is imported like one sent over SFTP, and shows in the history', async () => {
      await admin.page('/rosters');
      const res = await admin.follow(await upload(admin, '/rosters/upload', [path.join(FIXTURES, 'rosters/native/students.csv')], { csrf: 'field' }));
      assert.equal(res.posted, 303, 'a plain form upload answers with a redirect, so a reload sends nothing again');
      assert.match(res.html, /students\.csv was received/);
      assert.doesNotMatch((await admin.page(res.location!)).html, /was received/, 'the notice is shown once');
      const html = await pageUntil(admin, '/rosters', /<td>Imported/);
      assert.match(html, /<code>students\.csv<\/code>/);
    });

    test('photos uploaded from the browser go through the photo intake: linked, or rejected with the reason', async () => {
      await pageUntil(admin, '/people?q=004410', /Siobhán Müller/);
      await admin.page('/photos');
      const res = await upload(admin, '/photos/upload', [path.join(FIXTURES, 'photos/valid/004410.jpg'), path.join(FIXTURES, 'photos/reject/100111.jpg')], { csrf: 'header' });
      assert.equal(res.status, 200);
      assert.deepEqual(((await res.json()) as { saved: string[] }).saved.sort(), ['004410.jpg', '100111.jpg']);
      await pageUntil(admin, '/photos', /class="outcome outcome-rejected"/);
      const html = await pageUntil(admin, '/photos', /<a href="\/people\/004410">004410<\/a>/);
      assert.match(html, /<p>1 of 40 active people have a photo \(2%\)\.<\/p>/);
      assert.match((await admin.page('/people/004410')).html, /<img class="face face-profile" src="[^"]+" alt="Siobhán Müller"/);
    });

    test('a browser upload named "." or ".." is refused by name, as SFTP refuses it, and the others in the same upload are kept', async () => {
      await admin.page('/photos');
      // The kept one is a text file named like a photo: stored, then refused by the intake, so no one's photo changes.
      const photo = path.join(FIXTURES, 'photos/reject/100112.jpg');
      const res = await upload(admin, '/photos/upload', [[photo, '..'], [photo, '.'], photo], { csrf: 'header' });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { saved: string[]; refused: Array<{ file: string; reason: string }> };
      assert.deepEqual(body.saved, ['100112.jpg']);
      assert.equal(body.refused.length, 2);
      for (const r of body.refused) assert.match(r.reason, /is not a file name: give the file a name, like 123456\.jpg/);
    });

    test('the missing-photo list is a CSV of the active people without one', async () => {
      const res = await admin.fetch('/photos/missing.csv');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/csv/);
      assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="springfield-no-photo\.csv"/);
      const bytes = Buffer.from(await res.arrayBuffer());
      assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a byte-order mark, so Excel reads the accents right');
      const csv = bytes.subarray(3).toString('utf8');
      assert.match(csv, /^Local ID,First Name,Last Name,Role,School,Grade,Email\r\n/);
      assert.match(csv, /\r\n004411,Aiko,Müller,student,/);
      assert.doesNotMatch(csv, /\r\n004410,/, 'Siobhán has a photo now');
    });

    test('an admin can show a person\'s previous photo again', async () => {
      const srcOf = async () => /<img class="face face-profile" src="([^"]+)" alt="Siobhán Müller"/.exec((await admin.page('/people/004410')).html)?.[1];
      const first = await srcOf();
      assert.ok(first);
      await admin.page('/photos');
      const res = await upload(admin, '/photos/upload', [[path.join(FIXTURES, 'photos/valid/004412.jpg'), '004410.jpg']], { csrf: 'field' });
      assert.equal(res.status, 303);
      const deadline = Date.now() + 30_000;
      while ((await srcOf()) === first) {
        assert.ok(Date.now() < deadline, 'the second photo never showed');
        await new Promise((r) => setTimeout(r, 250));
      }
      await admin.page('/people/004410');
      const reverted = await admin.submit('/people/004410/photo/revert', {});
      assert.equal(reverted.posted, 303);
      assert.match(reverted.html, /Siobhán Müller shows the previous photo again/);
      assert.equal(await srcOf(), first);

      // The photo history lists both, newest first, and any of them can be shown again.
      const history = /<h2>Photo history<\/h2>([\s\S]*?)<\/section>/.exec((await admin.page('/people/004410')).html)?.[1] ?? '';
      const items = [...history.matchAll(/<li( class="shown-now")?>[\s\S]*?alt="Photo of Siobhán Müller from ([^"]+)"[\s\S]*?<\/li>/g)].map((m) => [m[2], Boolean(m[1])]);
      assert.deepEqual(items, [
        ['004410.jpg', false],
        ['004410.jpg', true],
      ]);
      const newer = /name="version" value="(\d+)"/.exec(history)?.[1];
      assert.ok(newer, 'the newer photo has a button to show it again');
      const shown = await admin.submit('/people/004410/photo/show', { version: newer });
      assert.equal(shown.posted, 303);
      assert.match(shown.html, /Siobhán Müller shows the photo from 004410\.jpg again/);
      assert.notEqual(await srcOf(), first);
      const gone = await admin.form('/people/004410/photo/show', { version: '999999' });
      assert.equal(gone.status, 404);
      assert.match(await gone.text(), /That photo is no longer kept for Siobhán Müller/);
    });

    test('a photo waiting under a Local ID nobody has is assigned to the right person', async () => {
      await admin.page('/photos');
      const res = await upload(admin, '/photos/upload', [[path.join(FIXTURES, 'photos/valid/004413.JPG'), '999999.jpg']], { csrf: 'field' });
      assert.equal(res.status, 303);
      await pageUntil(admin, '/photos', /Photos waiting for their person[\s\S]*<code>999999\.jpg<\/code>/);
      const assigned = await admin.submit('/photos/assign', { file: '999999.jpg', localId: '004413' });
      assert.equal(assigned.posted, 303);
      assert.match(assigned.html, /999999\.jpg is now 004413\.jpg: the photo intake shows it on Ravi Garcia/);
      await pageUntil(admin, '/people/004413', /<img class="face face-profile" src="[^"]+" alt="Ravi Garcia"/);
      assert.doesNotMatch((await admin.page('/photos')).html, /Photos waiting for their person/);
      const nobody = await admin.form('/photos/assign', { file: '004413.jpg', localId: '123' });
      assert.equal(nobody.status, 404);
    });

    test('an admin changes the roster settings on the Rosters desk; the CLI sees the same', async () => {
      await admin.page('/rosters');
      const fields = {
        deactivateStudents: '1',
        deactivateLimitPercent: '15',
        cleverStudents: 'SIS_ID',
        cleverTeachers: 'Teacher_number',
        cleverStaff: 'Staff_id',
        oneRosterId: 'userIds:LocalID',
        gradeOverrides: 'P3=PK\r\nTK=K',
        dailyAt: '02:30',
      };
      const saved = await admin.submit('/rosters/settings', fields);
      assert.equal(saved.posted, 303);
      const html = saved.html;
      assert.match(html, /Roster settings saved/);
      assert.match(html, /name="deactivateStudents" value="1" checked/);
      assert.match(html, /P3=PK\nTK=K<\/textarea>/);
      const cli = await ws.cliJson<{ dailyImport: string | null; settings: { deactivateMissing: { student: boolean; staff: boolean }; deactivateLimitPercent: number; oneRosterId: string } }>(['roster', 'settings', 'springfield']);
      assert.deepEqual(cli.settings.deactivateMissing, { student: true, staff: false });
      assert.equal(cli.settings.deactivateLimitPercent, 15);
      assert.equal(cli.settings.oneRosterId, 'userIds:LocalID');
      assert.match(html, /name="dailyAt" type="time" value="02:30"/);
      assert.equal(cli.dailyImport, '02:30');
      const bad = await admin.form('/rosters/settings', { ...fields, deactivateLimitPercent: '250' });
      assert.equal(bad.status, 400);
      assert.match(await bad.text(), /whole percentage from 0 to 100/);
    });

    test('an upload without the page\'s CSRF token, or by a viewer, stores nothing', async () => {
      const before = (await admin.page('/photos')).html;
      assert.equal((await upload(admin, '/photos/upload', [path.join(FIXTURES, 'photos/valid/004411.jpg')], { csrf: 'none' })).status, 403);
      const viewer = new WebClient(server);
      await viewer.signIn('otto@springfield.k12.us', PASSWORD);
      assert.equal((await viewer.page('/photos')).status, 200, 'a viewer may look');
      assert.equal((await upload(viewer, '/photos/upload', [path.join(FIXTURES, 'photos/valid/004411.jpg')], { csrf: 'field' })).status, 403);
      assert.equal((await upload(viewer, '/rosters/upload', [path.join(FIXTURES, 'rosters/native/students.csv')], { csrf: 'field' })).status, 403);
      await viewer.page('/people/004410');
      assert.equal((await viewer.form('/people/004410/photo/revert', {})).status, 403);
      assert.equal((await viewer.form('/people/004410/photo/show', { version: '1' })).status, 403);
      assert.doesNotMatch((await viewer.page('/people/004410')).html, /Show this photo/);
      await viewer.page('/rosters');
      assert.equal((await viewer.form('/rosters/settings', { deactivateLimitPercent: '50' })).status, 403);
      await new Promise((r) => setTimeout(r, 500));
      const afterHtml = (await admin.page('/photos')).html;
      assert.doesNotMatch(afterHtml, /004411\.jpg/);
      assert.equal((before.match(/<tr>/g) ?? []).length, (afterHtml.match(/<tr>/g) ?? []).length);
    });

    test('a file that would deactivate most students deactivates no one, and an admin can deactivate them anyway from the desk', async () => {
      // Deactivation of missing students is on (the settings test above), limit 15%: a file with 10 of 40 is held back.
      const full = (await fs.readFile(path.join(FIXTURES, 'rosters/native/students.csv'), 'utf8')).split(/\r?\n/);
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'guard-'));
      const partial = path.join(dir, 'students.csv');
      await fs.writeFile(partial, `${full.slice(0, 11).join('\r\n')}\r\n`);
      await admin.page('/rosters');
      assert.equal((await upload(admin, '/rosters/upload', [partial], { csrf: 'field' })).status, 303);
      await fs.rm(dir, { recursive: true, force: true });

      const held = await pageUntil(admin, '/rosters', /Deactivate them anyway \(30\)/);
      assert.match(held, /No students were deactivated: 30 of 40 active students \(75%\) are missing from this file, more than the 15% limit/);
      assert.match(held, /an admin can choose “Deactivate them anyway” beside this import on the Rosters page/);
      const id = /action="\/rosters\/imports\/(\d+)\/deactivate"/.exec(held)?.[1];
      assert.ok(id);
      assert.match((await admin.page('/people?q=004411')).html, /Aiko Müller/);

      const forced = await admin.submit(`/rosters/imports/${id}/deactivate`, {});
      assert.equal(forced.posted, 303);
      assert.match(forced.html, /30 deactivated/);
      const again = await admin.form(`/rosters/imports/${id}/deactivate`, {});
      assert.equal(again.status, 409);
      assert.match(await again.text(), /students\.csv has been imported again since/);
      assert.doesNotMatch((await admin.page('/rosters')).html, /action="\/rosters\/imports\/\d+\/deactivate"/, 'only a file\'s newest import offers the override');
    });
  });
}
