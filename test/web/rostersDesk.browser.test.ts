import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, screenshot, signIn } from '../helpers/browser.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';

const ADMIN = { email: 'skinner@springfield.k12.us', password: 'superintendent-1' };
/** Long enough to see the countdown, short enough for a test. */
const SETTLE_SECONDS = 6;

/**
 * The Rosters desk as a secretary uses it after sending a file: it says when
 * the file will be imported and counts down, shows the import without being
 * reloaded by hand, and lists the rows it left out by line on the page.
 */
describe('the Rosters desk counts down to an import and lists the rows left out, in Chromium', () => {
  let ws: Workspace;
  let server: RunningLanyard;
  let browser: Browser;
  let tmp: string;

  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'rosters-desk-'));
    ws = await Workspace.create('sqlite');
    await ws.district('springfield');
    const r = await ws.cli(['staff', 'create', 'springfield', '--email', ADMIN.email, '--password', ADMIN.password, '--role', 'admin']);
    assert.equal(r.code, 0, r.stderr);
    server = await ws.start(['--roster-settle', String(SETTLE_SECONDS)]);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await ws?.dispose();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  for (const width of [1280, 390]) {
    test(`at ${width} px: "imported in N s", then the import and its rows left out by line, without a reload by hand`, async () => {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await signIn(page, server, ADMIN.email, ADMIN.password, '/rosters');
      const file = path.join(tmp, `students-${width}.csv`);
      await fs.writeFile(
        file,
        [
          'Local ID,First Name,Last Name,Grade,Building Code',
          `00${width}1,Lisa,Simpson,2,101`,
          `00${width}2,,Simpson,4,101`,
          `00${width}3,Milhouse,Van Houten,2,101`,
          `00${width}4,Nelson,,5,101`,
          '',
        ].join('\n'),
      );
      await page.setInputFiles('#roster-files', file);
      await page.click('button:has-text("Upload")');
      await page.locator('.upload-status', { hasText: '1 file received' }).waitFor();

      await page.goto(server.url('/rosters'));
      const timer = page.getByRole('timer');
      assert.match((await timer.textContent()) ?? '', /^imported in [1-6] s$/);
      await screenshot(page, `rosters-countdown-${width}`);
      // The page reloads itself once the file is due; the import then shows with its rows left out.
      await page.locator('#main h3', { hasText: `students-${width}.csv` }).waitFor({ timeout: 30_000 });
      const list = (await page.locator('.row-errors').first().textContent()) ?? '';
      assert.match(list, /2 rows left out/);
      assert.match(list, /Line 3: no first name; this row was not imported\./);
      assert.match(list, /Line 5: no last name; this row was not imported\./);
      assert.equal(await page.getByRole('timer').count(), 0, 'nothing waits any more');
      const wide = await page.evaluate<number>('document.documentElement.scrollWidth');
      assert.ok(wide <= width, `the page is ${wide} px wide`);
      await screenshot(page, `rosters-row-errors-${width}`);
      assert.deepEqual(errors, []);
      await page.close();
    });
  }
});
