import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshot, signIn } from '../helpers/browser.js';
import { FIXTURES, Workspace, type RunningLanyard } from '../helpers/lanyard.js';

const ADMIN = { email: 'skinner@springfield.k12.us', password: 'superintendent-1' };
const OTHER = { email: 'tech@shelbyville.k12.us', password: 'shelbyville-1' };

describe('the Rosters and Photos desks in Chromium', () => {
  let ws: Workspace;
  let server: RunningLanyard;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  /** Reloads until the selector shows up: the intake works in the background. */
  const reloadUntil = async (url: string, selector: string) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      await page.goto(server.url(url));
      if ((await page.locator(selector).count()) > 0) return;
      if (Date.now() > deadline) throw new Error(`${url} never showed ${selector}`);
      await page.waitForTimeout(300);
    }
  };

  before(async () => {
    ws = await Workspace.create('sqlite');
    await ws.district('springfield');
    await ws.district('shelbyville');
    for (const [slug, who] of [
      ['springfield', ADMIN],
      ['shelbyville', OTHER],
    ] as const) {
      const r = await ws.cli(['staff', 'create', slug, '--email', who.email, '--password', who.password, '--role', 'admin']);
      assert.equal(r.code, 0, r.stderr);
    }
    server = await ws.start();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1180, height: 820 }, acceptDownloads: true });
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await signIn(page, server, ADMIN.email, ADMIN.password, '/rosters');
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await ws?.dispose();
  });

  test('a roster uploaded from the browser is imported and shows in the history', async () => {
    await page.setInputFiles('#roster-files', path.join(FIXTURES, 'rosters/native/students.csv'));
    await page.click('button:has-text("Upload")');
    await page.locator('.upload-status', { hasText: '1 file received' }).waitFor();
    await reloadUntil('/rosters', 'td:has-text("Imported")');
    await screenshot(page, 'rosters');
  });

  test('a photographer\'s zip uploaded from the browser links its photos; the missing-photo list downloads', async () => {
    await page.goto(server.url('/photos'));
    await page.setInputFiles('#photo-files', path.join(FIXTURES, 'packages/plain-named-photos.zip'));
    await page.click('button:has-text("Upload")');
    await page.locator('.upload-status', { hasText: '1 file received' }).waitFor();
    await reloadUntil('/people/004412', 'img[alt="Aiko Schmidt"]');
    await reloadUntil('/photos', 'text=3 of 40 active people have a photo');
    await screenshot(page, 'photos');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[href="/photos/missing.csv"]')]);
    assert.equal(download.suggestedFilename(), 'springfield-no-photo.csv');
    const csv = await fs.readFile((await download.path())!, 'utf8');
    assert.match(csv, /Local ID,First Name,Last Name/);
    assert.doesNotMatch(csv, /\n004412,/);
    assert.equal(csv.trim().split('\n').length, 1 + 37);
  });

  test('another district sees 404 for this district\'s person, photo and pages', async () => {
    const photo = await page.goto(server.url('/people/004412')).then(() => page.locator('img[alt="Aiko Schmidt"]').getAttribute('src'));
    assert.ok(photo);
    const other = await browser.newPage();
    await signIn(other, server, OTHER.email, OTHER.password, '/people');
    assert.equal((await other.goto(server.url('/people/004412')))?.status(), 404);
    assert.equal((await other.goto(server.url(photo)))?.status(), 404);
    await other.close();
  });

  test('no page broke the content security policy', () => {
    assert.deepEqual(errors, []);
  });
});
