import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, signIn } from '../helpers/browser.js';
import { REPO, Workspace, type RunningLanyard } from '../helpers/lanyard.js';

/**
 * The README's screenshots, taken from the demo district a newcomer gets with
 * `lanyard demo`, one screen high at 1280 px, into test-output/readme/ (copy
 * them to docs/screenshots/ when the pages change). Each page is also checked
 * for what the README's caption promises.
 */

interface DemoJson {
  signIn: { email: string; password: string };
}

const OUT = path.join(REPO, 'test-output', 'readme');

describe('the README screenshots, from the demo district in Chromium', () => {
  let ws: Workspace;
  let server: RunningLanyard;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    ws = await Workspace.create('sqlite');
    const admin = (await ws.cliJson<DemoJson>(['demo'])).signIn;
    server = await ws.start();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, server, admin.email, admin.password, '/people');
    await fs.mkdir(OUT, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await ws?.dispose();
  });

  /** Opens a page, waits for its faces to load, checks its caption's promise, and saves one screen of it. */
  async function shot(name: string, url: string, shows: RegExp): Promise<void> {
    await page.goto(server.url(url));
    // Lazy thumbnails load once laid out; the CSP forbids waitForFunction's eval, so ask until they are in.
    for (let i = 0; i < 100 && !(await page.evaluate<boolean>('[...document.images].every((i) => i.complete)')); i++) await page.waitForTimeout(50);
    assert.match((await page.textContent('main')) ?? '', shows, url);
    await page.screenshot({ path: path.join(OUT, `${name}.png`) });
  }

  test('every page of the README table, as the demo district shows it', async () => {
    await shot('people', '/people', /people/);
    const person = await page.locator('main tr:has(img) a[href^="/people/"]').first().getAttribute('href');
    assert.ok(person);
    await shot('user-profile-photo', person, /Local ID/);

    await page.goto(server.url('/devices'));
    const out = page.locator('main tr', { hasText: 'Checked out' }).first().locator('a[href^="/devices/"]');
    const device = await out.getAttribute('href');
    assert.ok(device);
    await shot('device-profile-photo', device, /Checked out to/);

    // The desk with an available device scanned and a person chosen: the face before the laptop.
    const available = page.locator('main tr', { hasText: 'Available' }).first().locator('a[href^="/devices/"]');
    await page.goto(server.url('/devices'));
    const tag = (await available.textContent())?.trim();
    assert.ok(tag);
    const localId = decodeURIComponent(person.replace('/people/', ''));
    await shot('desk-confirm-photo', `/desk?assetTag=${encodeURIComponent(tag)}&person=${encodeURIComponent(localId)}`, /Confirm check-out/);

    await page.goto(server.url('/incidents'));
    const incident = await page.locator('main a[href^="/incidents/"]:not([href="/incidents/new"]):not([href*="?"])').first().getAttribute('href');
    assert.ok(incident);
    await shot('incident-photo', incident, /Opened/);
    await shot('photos', '/photos', /have a photo/);
    await shot('rosters', '/rosters', /Import history/);
    await shot('settings', '/settings', /SFTP/);
    assert.deepEqual(errors, []);
  });
});
