import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshot, signIn } from '../helpers/browser.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { insertPeople } from '../helpers/people.js';

const TECH = { email: 'edna@springfield.k12.us', password: 'apple-polish-42' };
const WIDTHS = [1280, 390] as const;

describe('tags in any case and the header search in Chromium', () => {
  let ws: Workspace;
  let server: RunningLanyard;
  let browser: Browser;

  before(async () => {
    ws = await Workspace.create('sqlite');
    await ws.district('springfield');
    const r = await ws.cli(['staff', 'create', 'springfield', '--email', TECH.email, '--password', TECH.password, '--role', 'technician']);
    assert.equal(r.code, 0, r.stderr);
    await insertPeople(ws, 'springfield', [
      { localId: '004410', firstName: 'Lisa', lastName: 'Simpson', grade: '2', school: 'Springfield Elementary' },
      { localId: 'T-0007', firstName: 'Edna', lastName: 'Krabappel', role: 'staff', school: 'Springfield Elementary' },
    ]);
    server = await ws.start();
    const token = await ws.token('springfield');
    for (const assetTag of ['LT-1280', 'LT-390']) {
      const res = await fetch(server.url('/api/v1/devices'), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ assetTag, serialNumber: `SN-${assetTag}`, model: 'Chromebook 3100' }),
      });
      assert.equal(res.status, 201);
    }
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await ws?.dispose();
  });

  async function signedIn(width: number): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, server, TECH.email, TECH.password, '/people');
    return { page, errors };
  }

  for (const width of WIDTHS) {
    test(`at ${width} px a lower-case tag at the desk finds the device and checks it out`, async () => {
      const { page, errors } = await signedIn(width);
      const tag = `LT-${width}`;
      await page.goto(server.url('/desk'));
      await page.keyboard.type(tag.toLowerCase());
      await page.keyboard.press('Enter');
      await page.waitForURL(/assetTag=/);
      assert.doesNotMatch((await page.textContent('main')) ?? '', /No device/);
      await page.keyboard.type('4410');
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Confirm check-out' }).waitFor();
      await page.keyboard.press('Enter');
      await page.waitForURL(/done=checkout:\d+/);
      assert.match((await page.textContent('.notice')) ?? '', new RegExp(`${tag} is checked out to Lisa Simpson`));
      await screenshot(page, `desk-lowercase-${width}`);
      assert.deepEqual(errors, []);
      await page.close();
    });

    test(`at ${width} px the header search jumps to a tag or a Local ID typed in any case, and lists anything else`, async () => {
      const { page, errors } = await signedIn(width);
      const search = page.getByRole('searchbox', { name: 'Search people and devices' });
      await search.fill(`lt-${width}`);
      await search.press('Enter');
      await page.waitForURL(new RegExp(`/devices/LT-${width}$`));
      assert.equal(await page.textContent('h1'), `Device LT-${width}`);

      await search.fill('t-0007');
      await search.press('Enter');
      await page.waitForURL(/\/people\/T-0007$/);
      assert.equal(await page.textContent('h1'), 'Edna Krabappel');

      await search.fill('lt-');
      await search.press('Enter');
      await page.waitForURL(/\/search\?q=lt-/);
      await page.getByRole('link', { name: 'LT-1280' }).waitFor();
      await page.getByRole('link', { name: 'LT-390' }).waitFor();
      const width_ = Number(await page.evaluate('document.documentElement.scrollWidth'));
      assert.ok(width_ <= width, `the search page is ${width_} px wide on a ${width} px screen`);
      await screenshot(page, `search-${width}`);

      await search.fill('Simpson');
      await search.press('Enter');
      await page.waitForURL(/\/search\?q=Simpson/);
      await page.getByRole('link', { name: 'Lisa Simpson' }).click();
      await page.waitForURL(/\/people\/004410$/);
      assert.deepEqual(errors, []);
      await page.close();
    });
  }
});
