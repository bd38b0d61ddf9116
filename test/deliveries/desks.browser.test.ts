import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshot, signIn } from '../helpers/browser.js';
import { FIXTURES, Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { addPeople, fixturePeople, PHOTOS } from '../photos/harness.js';

const ADMIN = { email: 'skinner@springfield.k12.us', password: 'superintendent-1' };

describe('deliveries on the Photos and Rosters desks, in Chromium', () => {
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
    await addPeople(ws, 'springfield', fixturePeople(['100199']));
    const r = await ws.cli(['staff', 'create', 'springfield', '--email', ADMIN.email, '--password', ADMIN.password, '--role', 'admin']);
    assert.equal(r.code, 0, r.stderr);
    server = await ws.start();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1180, height: 820 }, acceptDownloads: true });
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await signIn(page, server, ADMIN.email, ADMIN.password, '/photos');
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await ws?.dispose();
  });

  test('photos uploaded from the browser are one delivery on the Photos desk, whose page lists what was not linked', async () => {
    await page.setInputFiles('#photo-files', [
      path.join(PHOTOS, 'valid/004410.jpg'),
      path.join(PHOTOS, 'valid/004411.jpg'),
      path.join(PHOTOS, 'unmatched/100199.jpg'),
      path.join(PHOTOS, 'reject/100112.jpg'),
    ]);
    await page.click('button:has-text("Upload")');
    await page.locator('.upload-status', { hasText: '4 files received' }).waitFor();
    await reloadUntil('/photos', 'table.deliveries td:has-text("Finished")');
    const rows = page.locator('table.deliveries tbody tr');
    assert.equal(await rows.count(), 1);
    const line = await rows.first().innerText();
    assert.match(line, /Browser/);
    assert.match(line, new RegExp(ADMIN.email.replace(/\./g, '\\.')));
    assert.match(line, /2 linked · 1 waiting for their person · 1 rejected/);
    await screenshot(page, 'photos-deliveries');

    await rows.first().locator('a').click();
    await page.locator('h1', { hasText: /^Delivery \d+$/ }).waitFor();
    const problems = page.locator('table.problems tbody tr');
    assert.equal(await problems.count(), 2);
    const text = await page.locator('table.problems').innerText();
    assert.match(text, /100199\s+100199\.jpg\s+Waiting for their person\s+Nobody with Local ID 100199/);
    assert.match(text, /100112\.jpg\s+Rejected\s+This file is not a picture/);
    await screenshot(page, 'delivery');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("Download this list (CSV)")')]);
    assert.match(download.suggestedFilename(), /^springfield-delivery-\d+\.csv$/);
    const csv = await fs.readFile((await download.path())!, 'utf8');
    const lines = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(lines[0], 'Local ID,File,Outcome,Warnings,Reason');
    assert.equal(lines.length, 3);
    assert.ok(lines.some((l) => l.startsWith('100199,100199.jpg,unmatched,,')));
  });

  test('a roster uploaded from the browser is a delivery on the Rosters desk, not on the Photos desk', async () => {
    await page.goto(server.url('/rosters'));
    await page.setInputFiles('#roster-files', path.join(FIXTURES, 'rosters/native/students.csv'));
    await page.click('button:has-text("Upload")');
    await page.locator('.upload-status', { hasText: '1 file received' }).waitFor();
    await reloadUntil('/rosters', 'table.deliveries td:has-text("Finished")');
    assert.match(await page.locator('table.deliveries tbody tr').first().innerText(), /1 imported/);
    await page.goto(server.url('/photos'));
    assert.equal(await page.locator('table.deliveries tbody tr').count(), 1, 'the Photos desk still shows only the photo delivery');
  });

  test('the retake list prints everyone active without a photo, school by school, and downloads for the photographer', async () => {
    await page.goto(server.url('/photos'));
    await page.click('a:has-text("Retake list")');
    await page.locator('h1', { hasText: 'Retake list' }).waitFor();
    // Everyone active but the two whose photos were linked above has no photo.
    const listed = await page.locator('table.retakes tbody tr').allInnerTexts();
    assert.ok(listed.length > 0);
    assert.ok(!listed.some((l) => /\b004410\b|\b004411\b/.test(l)), 'people with a good photo are not listed');
    assert.ok(listed.every((l) => /No photo$/.test(l.trim())), listed.find((l) => !/No photo$/.test(l.trim())));
    await page.selectOption('#school', '101');
    await page.click('button:has-text("Show")');
    const headings = await page.locator('.retake-school h2').allInnerTexts();
    assert.equal(headings.length, 1);
    await screenshot(page, 'retakes');
    const inSchool = await page.locator('table.retakes tbody tr').count();
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("Download for the photographer (CSV)")')]);
    assert.equal(download.suggestedFilename(), 'springfield-retakes.csv');
    const rows = (await fs.readFile((await download.path())!, 'utf8')).replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(rows[0], 'Local ID,Last Name,First Name,Grade,School');
    assert.equal(rows.length, 1 + inSchool);
  });

  test('no page so far broke the content security policy', () => {
    assert.deepEqual(errors, []);
  });

  test('a delivery of another number is not found', async () => {
    assert.equal((await page.goto(server.url('/deliveries/999999')))?.status(), 404);
    assert.equal((await page.goto(server.url('/deliveries/abc')))?.status(), 404);
  });

  test('a bad date on the retake list is said on the page', async () => {
    const res = await page.goto(server.url('/photos/retakes?before=yesterday'));
    assert.equal(res?.status(), 400);
    assert.match(await page.locator('[role="alert"]').innerText(), /"yesterday" is not a date: give it as YYYY-MM-DD/);
  });
});
