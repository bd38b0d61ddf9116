import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshot, signIn } from '../helpers/browser.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { insertPeople } from '../helpers/people.js';

const TECH = { email: 'edna@springfield.k12.us', password: 'apple-polish-42' };

describe('people, the check-out desk, devices and incidents in Chromium', () => {
  let ws: Workspace;
  let server: RunningLanyard;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    ws = await Workspace.create('sqlite');
    await ws.district('springfield');
    const r = await ws.cli(['staff', 'create', 'springfield', '--email', TECH.email, '--password', TECH.password, '--role', 'technician']);
    assert.equal(r.code, 0, r.stderr);
    await insertPeople(ws, 'springfield', [
      { localId: '004410', firstName: 'Lisa', lastName: 'Simpson', grade: '2', school: 'Springfield Elementary', email: 'lisa@springfield.k12.us' },
      { localId: '004411', firstName: 'Bart', lastName: 'Simpson', grade: '4', school: 'Springfield Elementary' },
      { localId: '004500', firstName: 'Milhouse', lastName: 'Van Houten', grade: '4', school: 'Springfield Elementary' },
      { localId: 'T-0007', firstName: 'Edna', lastName: 'Krabappel', role: 'staff', school: 'Springfield Elementary' },
    ]);
    server = await ws.start();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1180, height: 820 } });
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await signIn(page, server, TECH.email, TECH.password, '/people');
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await ws?.dispose();
  });

  test('the People page lists the district and leads to a User Profile', async () => {
    assert.equal(new URL(page.url()).pathname, '/people');
    await page.getByRole('link', { name: 'Lisa Simpson' }).waitFor();
    await screenshot(page, 'people');
    await page.fill('input[name=q]', 'Van Houten');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=Van\+Houten/);
    assert.equal(await page.getByRole('link', { name: 'Lisa Simpson' }).count(), 0);
    await page.getByRole('link', { name: 'Milhouse Van Houten' }).click();
    await page.waitForURL(/\/people\/004500$/);
    assert.equal(await page.textContent('h1'), 'Milhouse Van Houten');
    assert.match((await page.textContent('main')) ?? '', /Local ID\s*004500/);
    await screenshot(page, 'user-profile');
  });

  test('a device is added, checked out at the desk with a scanner-like loop, and its profile shows the holder', async () => {
    await page.goto(server.url('/devices'));
    await page.fill('#assetTag', 'LT-0042');
    await page.fill('#serialNumber', '5CD0042XYZ');
    await page.fill('#model', 'Chromebook 3100');
    await page.click('button:has-text("Add device")');
    await page.waitForURL(/\/devices\/LT-0042\?flash=/);

    await page.goto(server.url('/desk'));
    // A scanner types into whatever has focus and presses Enter: the desk keeps focus on the next field.
    await page.keyboard.type('LT-0042');
    await page.keyboard.press('Enter');
    await page.waitForURL(/assetTag=LT-0042/);
    await page.keyboard.type('4410');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Confirm check-out' }).waitFor();
    assert.match((await page.textContent('.confirm')) ?? '', /Lisa Simpson/);
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.textContent'), 'Confirm check-out');
    await screenshot(page, 'desk-confirm');
    await page.keyboard.press('Enter');
    await page.waitForURL(/done=checkout:\d+/);
    assert.match((await page.textContent('.notice')) ?? '', /LT-0042 is checked out to Lisa Simpson/);
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.id'), 'assetTag', 'ready for the next scan');
    await screenshot(page, 'desk');

    await page.goto(server.url('/devices/LT-0042'));
    const holder = (await page.textContent('.holder')) ?? '';
    assert.match(holder, /Lisa Simpson/);
    assert.match(holder, /Since/);
    await screenshot(page, 'device-profile');
    await page.goto(server.url('/devices'));
    await screenshot(page, 'devices');
  });

  test('an incident is opened from the device and shows the person and the device', async () => {
    await page.goto(server.url('/devices/LT-0042'));
    await page.getByRole('link', { name: 'Open an incident' }).click();
    await page.waitForURL(/\/incidents\/new/);
    assert.equal(await page.inputValue('#localId'), '004410');
    await page.selectOption('#type', 'damage');
    await page.fill('#description', 'Screen cracked in the corner');
    await page.click('button:has-text("Open incident")');
    await page.waitForURL(/\/incidents\/\d+\?flash=/);
    const main = (await page.textContent('main')) ?? '';
    assert.match(main, /Lisa Simpson/);
    assert.match(main, /LT-0042/);
    assert.match(main, /Screen cracked in the corner/);
    await page.selectOption('#status', 'in-repair');
    await page.fill('#note', 'Sent to the repair shop');
    await page.click('button:has-text("Add to timeline")');
    await page.waitForSelector('text=Status: In repair');
    await screenshot(page, 'incident');
    await page.goto(server.url('/incidents'));
    assert.match((await page.textContent('main')) ?? '', /Lisa Simpson/);
    await screenshot(page, 'incidents');
  });

  test('on a tablet held upright the desk and the profiles fit the screen', async () => {
    const tablet = await browser.newPage({ viewport: { width: 768, height: 1024 }, hasTouch: true });
    await signIn(tablet, server, TECH.email, TECH.password, '/desk?assetTag=LT-0042');
    for (const p of ['/desk?assetTag=LT-0042', '/people', '/people/004410', '/devices/LT-0042', '/incidents']) {
      await tablet.goto(server.url(p));
      const width = await tablet.evaluate('document.documentElement.scrollWidth');
      assert.ok(Number(width) <= 768, `${p} is ${String(width)} px wide`);
    }
    await tablet.goto(server.url('/desk'));
    await screenshot(tablet, 'desk-tablet');
    await tablet.close();
  });

  test('devices are added in bulk from a chosen CSV file', async () => {
    const file = path.join(ws.dataDir, 'devices.csv');
    await fs.writeFile(file, 'Asset Tag,Serial Number,Model\nLT-0900,SN900,Chromebook 3100\nLT-0901,SN901,iPad\n');
    await page.goto(server.url('/devices'));
    await page.setInputFiles('#csv-file', file);
    await page.waitForFunction("document.getElementById('csv').value.includes('LT-0901')");
    await page.click('button:has-text("Add devices")');
    await page.locator('.notice', { hasText: '2 devices added.' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'LT-0901' }).count(), 1);
  });

  test('after a check-in the cursor stays in the check-in field, for the next returned device', async () => {
    const token = await ws.token('springfield');
    const api = (url: string, body: unknown) =>
      fetch(server.url(url), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await api('/api/v1/devices', { assetTag: 'LT-0077', serialNumber: 'SN0077', model: 'Chromebook 3100' })).status, 201);
    assert.equal((await api('/api/v1/checkouts', { assetTag: 'LT-0077', localId: '004411' })).status, 201);
    await page.goto(server.url('/desk'));
    await page.fill('#checkin-tag', 'lt-0077');
    await page.press('#checkin-tag', 'Enter');
    await page.waitForURL(/done=checkin:\d+/);
    assert.match((await page.textContent('.notice')) ?? '', /LT-0077 is checked in from Bart Simpson/);
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.id'), 'checkin-tag');
  });

  test('no page broke the content security policy', () => {
    assert.deepEqual(errors, []);
  });
});
