import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, screenshot, signIn } from '../helpers/browser.js';
import { Workspace, type DistrictSheet, type RunningLanyard } from '../helpers/lanyard.js';

describe('the settings page in Chromium', () => {
  let ws: Workspace;
  let server: RunningLanyard;
  let browser: Browser;
  let sheet: DistrictSheet;

  before(async () => {
    ws = await Workspace.create('sqlite');
    sheet = await ws.district('springfield');
    await ws.cli(['staff', 'create', 'springfield', '--email', 'skinner@springfield.k12.us', '--password', 'superintendent-1', '--role', 'admin']);
    server = await ws.start();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await ws?.dispose();
  });

  test('an admin signs in and finds the SFTP details and the fingerprints from the welcome sheet', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await signIn(page, server, 'skinner@springfield.k12.us', 'superintendent-1', '/settings');
    assert.equal(new URL(page.url()).pathname, '/settings');
    const text = await page.textContent('main');
    assert.match(text ?? '', /Username\s*springfield/);
    for (const k of sheet.hostKeys) {
      assert.ok(text?.includes(k.sha256), `shows ${k.sha256}`);
      assert.ok(text?.includes(k.md5), `shows ${k.md5}`);
    }
    await screenshot(page, 'settings');
    assert.deepEqual(errors, [], 'no console errors (a CSP violation would show here)');
  });
});
