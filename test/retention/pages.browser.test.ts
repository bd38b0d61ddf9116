import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { openServices, type Services } from '../../src/app/services.js';
import { loadConfig } from '../../src/config/config.js';
import { runRetention } from '../../src/retention/run.js';
import { launchChromium, screenshot, signIn } from '../helpers/browser.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { addPeople, District, fixturePeople, PASSWORD, PHOTOS } from '../photos/harness.js';

const ADMIN = { email: 'skinner@springfield.k12.us', password: 'superintendent-1' };
const DAY = 24 * 3600 * 1000;

/** What staff see of retention in Chromium: the policy and the last removal on Settings, an erasure on the profile. */
describe('retention and erasure in the web app (Chromium)', () => {
  let ws: Workspace;
  let server: RunningLanyard;
  let browser: Browser;
  let district: District;
  let services: Services;

  before(async () => {
    ws = await Workspace.create('sqlite');
    await ws.district('springfield', PASSWORD);
    await ws.cli(['staff', 'create', 'springfield', '--email', ADMIN.email, '--password', ADMIN.password, '--role', 'admin']);
    await addPeople(ws, 'springfield', fixturePeople());
    server = await ws.start([], { LANYARD_RETENTION_INTERVAL: '0' });
    district = new District(server, 'springfield', await ws.token('springfield'));
    services = await openServices({ ...loadConfig({ dataDir: ws.dataDir }, {}), logLevel: 'silent' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await services?.close();
    await server?.stop();
    await ws?.dispose();
  });

  test('Settings shows the policy and, after a run, what each rule removed', async () => {
    await district.upload([path.join(PHOTOS, 'unmatched', '100199.jpg')]);
    await district.settled(0, 1);
    const page = await browser.newPage();
    await signIn(page, server, ADMIN.email, ADMIN.password, '/settings');
    const card = page.locator('section.card', { has: page.locator('h2', { hasText: 'Retention' }) });
    assert.match((await card.textContent()) ?? '', /Photos nobody matched, and refused uploads\s*30 days/);
    assert.match((await card.textContent()) ?? '', /Nothing has been removed yet/);

    await runRetention(services.db, services.blobs, { now: new Date(Date.now() + 31 * DAY) });
    await page.reload();
    const text = (await card.textContent()) ?? '';
    assert.match(text, /Last removal/);
    // The waiting photo and its event; its two sizes (its original went with the idphotos file, the next rule).
    assert.match(text, /Photos nobody matched, and refused uploads\s*2\s*2\s*[\d.]+ kB/, text);
    assert.match(text, /Photo files in idphotos, and the bytes of intake history\s*1\s*1\s*[\d.]+ kB/, text);
    await screenshot(page, 'settings-retention');
    await page.close();
  });

  test('the profile of an erased person says so, shows no photo, and shows a new one when it comes', async () => {
    await district.upload([[path.join(PHOTOS, 'valid', '100107.jpg'), '100107.jpg']]);
    const after1 = await district.lastEventId();
    await district.settled(after1 - 1, 1);
    const person = await district.person('100107');
    const name = `${person.firstName} ${person.lastName}`;
    const r = await ws.cli(['person', 'erase', 'springfield', '100107', '--yes']);
    assert.equal(r.code, 0, r.stderr);

    const page = await browser.newPage();
    await signIn(page, server, ADMIN.email, ADMIN.password, '/people/100107');
    assert.match((await page.textContent('main')) ?? '', /Erased\s*Every photo and file of 100107 was erased on request on/);
    assert.equal(await page.locator(`img[alt="${name}"]`).count(), 0, 'no photo');

    const before = await district.lastEventId();
    await district.upload([[path.join(PHOTOS, 'valid', '100107.jpg'), '100107.jpg']]);
    await district.settled(before, 1);
    await page.reload();
    assert.equal(await page.locator(`.profile-face img[alt="${name}"]`).count(), 1, 'the new photo is shown');
    assert.match((await page.textContent('main')) ?? '', /New photos of them are welcome/);
    await page.close();
  });

  test('an admin erases a person from the profile only after typing their Local ID', async () => {
    const before = await district.lastEventId();
    await district.upload([[path.join(PHOTOS, 'valid', '100108.jpg'), '100108.jpg']]);
    await district.settled(before, 1);
    const person = await district.person('100108');
    const name = `${person.firstName} ${person.lastName}`;
    const page = await browser.newPage();
    await signIn(page, server, ADMIN.email, ADMIN.password, '/people/100108');
    const card = page.locator('section.card', { has: page.locator('h2', { hasText: 'Erase photos and files' }) });
    await card.locator('input[name=confirm]').fill('100107');
    await card.locator('button', { hasText: 'Erase every photo and file' }).click();
    assert.match((await page.textContent('main')) ?? '', /Nothing was erased: type 100108 exactly in the box to confirm\./);
    assert.equal(await page.locator(`.profile-face img[alt="${name}"]`).count(), 1, 'still shown');

    await card.locator('input[name=confirm]').fill('100108');
    await card.locator('button', { hasText: 'Erase every photo and file' }).click();
    const text = (await page.textContent('main')) ?? '';
    assert.match(text, new RegExp(`Erased ${name}'s photos and files: 1 photo version, 1 file in idphotos, \\d+ stored files deleted\\.`));
    assert.match(text, /Every photo and file of 100108 was erased on request/);
    assert.equal(await page.locator(`img[alt="${name}"]`).count(), 0);
    assert.equal((await district.person('100108')).photo, null);
    await screenshot(page, 'user-profile-erased');
    await page.close();
  });
});
