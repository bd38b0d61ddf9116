import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshot, signIn } from '../helpers/browser.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { insertPeople } from '../helpers/people.js';

const TECH = { email: 'edna@springfield.k12.us', password: 'apple-polish-42' };

describe("an incident's status moves the device, in Chromium", () => {
  let ws: Workspace;
  let server: RunningLanyard;
  let browser: Browser;
  let token: string;
  const api = (path: string, body: unknown) =>
    fetch(server.url(path), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  before(async () => {
    ws = await Workspace.create('sqlite');
    await ws.district('springfield');
    const r = await ws.cli(['staff', 'create', 'springfield', '--email', TECH.email, '--password', TECH.password, '--role', 'technician']);
    assert.equal(r.code, 0, r.stderr);
    await insertPeople(ws, 'springfield', [
      { localId: '004410', firstName: 'Lisa', lastName: 'Simpson', grade: '2' },
      { localId: '004411', firstName: 'Bart', lastName: 'Simpson', grade: '4' },
    ]);
    server = await ws.start();
    token = await ws.token('springfield');
    for (const tag of ['LT-1280', 'LT-390', 'LN-1280', 'LN-390']) {
      assert.equal((await api('/api/v1/devices', { assetTag: tag, serialNumber: `SN-${tag}`, model: 'Chromebook 3100' })).status, 201);
    }
    for (const tag of ['LT-1280', 'LT-390']) assert.equal((await api('/api/v1/checkouts', { assetTag: tag, localId: '004410' })).status, 201);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await ws?.dispose();
  });

  async function openIncident(page: Page, tag: string, localId: string): Promise<void> {
    await page.goto(server.url(`/incidents/new?assetTag=${tag}&localId=${localId}`));
    await page.selectOption('#type', 'damage');
    await page.fill('#description', 'Hinge broken');
    await page.click('button:has-text("Open incident")');
    await page.waitForURL(/\/incidents\/\d+\?flash=/);
  }

  for (const width of [1280, 390]) {
    test(`at ${width} px "In repair" takes the device back from the student, a loaner goes out, and "Waiting for pickup" makes it available`, async () => {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await signIn(page, server, TECH.email, TECH.password, '/people');
      const tag = `LT-${width}`;
      await openIncident(page, tag, '004410');
      assert.equal(await page.locator('.warning').count(), 0, 'Lisa holds the device: no warning');
      await page.selectOption('#status', 'in-repair');
      await page.click('button:has-text("Add to timeline")');
      await page.waitForSelector('text=Status: In repair');
      await screenshot(page, `incident-in-repair-${width}`);

      await page.goto(server.url(`/devices/${tag}`));
      const facts = (await page.textContent('.facts')) ?? '';
      assert.match(facts, /Status\s*In repair/);
      assert.doesNotMatch((await page.textContent('.holder')) ?? '', /Lisa Simpson/);

      const loaner = await api('/api/v1/checkouts', { assetTag: `LN-${width}`, localId: '004410' });
      assert.equal(loaner.status, 201, 'a loaner can go out to the student');
      const refused = await api('/api/v1/checkouts', { assetTag: tag, localId: '004411' });
      assert.equal(refused.status, 409, 'a device at the repair shop cannot be checked out');

      await page.goBack();
      await page.selectOption('#status', 'waiting-for-pickup');
      await page.click('button:has-text("Add to timeline")');
      await page.waitForSelector('text=Status: Waiting for pickup');
      await page.goto(server.url(`/devices/${tag}`));
      assert.match((await page.textContent('.facts')) ?? '', /Status\s*Available/);
      assert.deepEqual(errors, []);
      await page.close();
    });

    test(`at ${width} px an incident for someone who does not hold the device is opened with a warning, and "Lost" marks the device lost`, async () => {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await signIn(page, server, TECH.email, TECH.password, '/people');
      const loaner = `LN-${width}`;
      await openIncident(page, loaner, '004411');
      const warning = (await page.textContent('.warning')) ?? '';
      assert.match(warning, new RegExp(`Bart Simpson did not hold ${loaner} when this incident was opened: Lisa Simpson had it checked out`));
      await page.selectOption('#status', 'lost');
      await page.click('button:has-text("Add to timeline")');
      await page.waitForSelector('text=Status: Lost');
      const width_ = Number(await page.evaluate('document.documentElement.scrollWidth'));
      assert.ok(width_ <= width, `the incident page is ${width_} px wide`);
      await screenshot(page, `incident-not-holder-${width}`);
      await page.goto(server.url(`/devices/${loaner}`));
      assert.match((await page.textContent('.facts')) ?? '', /Status\s*Lost/);
      await page.close();
    });
  }
});
