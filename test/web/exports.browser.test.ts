import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshot, signIn } from '../helpers/browser.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { insertPeople } from '../helpers/people.js';

const TECH = { email: 'edna@springfield.k12.us', password: 'apple-polish-42' };
const WIDTHS = [1280, 390] as const;

describe('CSV downloads, sorting and the printed receipt in Chromium', () => {
  let ws: Workspace;
  let server: RunningLanyard;
  let browser: Browser;

  before(async () => {
    ws = await Workspace.create('sqlite');
    await ws.district('springfield');
    const r = await ws.cli(['staff', 'create', 'springfield', '--email', TECH.email, '--password', TECH.password, '--role', 'technician']);
    assert.equal(r.code, 0, r.stderr);
    await insertPeople(ws, 'springfield', [
      { localId: '004410', firstName: 'Lisa', lastName: 'Simpson', grade: '2', school: '101' },
      { localId: '004411', firstName: 'Bart', lastName: 'Simpson', grade: '4', school: '101' },
      { localId: '004413', firstName: 'Milhouse', lastName: 'Van Houten', grade: '4', school: '101' },
      { localId: '004414', firstName: 'Nelson', lastName: 'Muntz', grade: '5', school: '102' },
      { localId: 'T-0007', firstName: 'Edna', lastName: 'Krabappel', role: 'staff', school: '101' },
    ]);
    server = await ws.start();
    const token = await ws.token('springfield');
    const post = async (path: string, body: unknown) => {
      const res = await fetch(server.url(path), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.ok(res.status < 300, `${path} answered ${res.status}`);
    };
    await post('/api/v1/devices', { assetTag: 'LT-1008', serialNumber: 'SN-8', model: 'Chromebook 3100' });
    await post('/api/v1/checkouts', { assetTag: 'LT-1008', localId: '004410' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await ws?.dispose();
  });

  async function signedIn(width: number): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width, height: 900 }, acceptDownloads: true });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, server, TECH.email, TECH.password, '/people');
    return { page, errors };
  }

  /** The Local IDs in the People table, top to bottom. */
  const shownIds = (page: Page) => page.locator('table.people tbody tr td:nth-child(3)').allTextContents();

  for (const width of WIDTHS) {
    test(`at ${width} px: filter People, download the CSV, and it holds exactly the filtered rows`, async () => {
      const { page, errors } = await signedIn(width);
      await page.selectOption('#school', '101');
      await page.selectOption('#grade', '4');
      await Promise.all([page.waitForURL(/school=101/), page.click('form.filters button[type=submit]')]);
      assert.deepEqual(await shownIds(page), ['004411', '004413']);
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
      assert.match(download.suggestedFilename(), /^springfield-people-\d{4}-\d\d-\d\d\.csv$/);
      const text = await fs.readFile((await download.path())!, 'utf8');
      const rows = parse(text.replace(/^\uFEFF/, '')) as string[][];
      assert.deepEqual(
        rows.map((r) => [r[0], r[1], r[2]]),
        [
          ['Local ID', 'First name', 'Last name'],
          ['004411', 'Bart', 'Simpson'],
          ['004413', 'Milhouse', 'Van Houten'],
        ],
      );
      assert.deepEqual(errors, []);
      await page.close();
    });

    test(`at ${width} px: a column header sorts the list, and again turns it round`, async () => {
      const { page, errors } = await signedIn(width);
      await page.goto(server.url('/people'));
      assert.deepEqual(await shownIds(page), ['T-0007', '004414', '004411', '004410', '004413']);
      const localId = page.getByRole('link', { name: 'Local ID', exact: true });
      await Promise.all([page.waitForURL(/sort=localId/), localId.click()]);
      assert.deepEqual(await shownIds(page), ['004410', '004411', '004413', '004414', 'T-0007']);
      assert.equal(await page.locator('th[aria-sort]').getAttribute('aria-sort'), 'ascending');
      await Promise.all([page.waitForURL(/sort=-localId/), page.getByRole('link', { name: /^Local ID/ }).click()]);
      assert.deepEqual(await shownIds(page), ['T-0007', '004414', '004413', '004411', '004410']);
      assert.equal(await page.locator('th[aria-sort]').getAttribute('aria-sort'), 'descending');
      // Filtering keeps the order chosen.
      await page.selectOption('#school', '101');
      await Promise.all([page.waitForURL(/school=101/), page.click('form.filters button[type=submit]')]);
      assert.deepEqual(await shownIds(page), ['T-0007', '004413', '004411', '004410']);
      assert.deepEqual(errors, []);
      await page.close();
    });

    test(`at ${width} px: the receipt of a check-out shows the device and the person, with a Print button`, async () => {
      const { page, errors } = await signedIn(width);
      await page.goto(server.url('/devices/LT-1008'));
      await Promise.all([page.waitForURL(/\/checkouts\/\d+\/receipt$/), page.getByRole('link', { name: 'Print the check-out receipt' }).click()]);
      assert.equal(await page.textContent('h1'), 'Device check-out receipt');
      const paper = (await page.textContent('article.paper')) ?? '';
      assert.match(paper, /LT-1008/);
      assert.match(paper, /Chromebook 3100/);
      assert.match(paper, /Lisa Simpson/);
      assert.match(paper, /004410/);
      assert.match(paper, /Signature of the student or parent/);
      assert.ok(await page.getByRole('button', { name: 'Print' }).isVisible());
      // On paper: no navigation, no buttons.
      await page.emulateMedia({ media: 'print' });
      assert.equal(await page.locator('header.top').isVisible(), false);
      assert.equal(await page.getByRole('button', { name: 'Print' }).isVisible(), false);
      assert.ok(await page.locator('article.paper').isVisible());
      await page.emulateMedia({ media: 'screen' });
      await screenshot(page, `receipt-${width}`);
      assert.deepEqual(errors, []);
      await page.close();
    });
  }
});
