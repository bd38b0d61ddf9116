import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, screenshot, signIn } from '../helpers/browser.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { opensshSftp } from '../helpers/openssh.js';

const ADMIN = { email: 'skinner@springfield.k12.us', password: 'superintendent-1' };
const FIRST_PASSWORD = 'correct horse battery staple';
const WIDTHS = [1280, 390] as const;

describe('confirmations, secrets shown once and reloads that repeat nothing, in Chromium', () => {
  let ws: Workspace;
  let server: RunningLanyard;
  let browser: Browser;
  /** The SFTP password that works now: each width's reset replaces it. */
  let current = FIRST_PASSWORD;

  before(async () => {
    ws = await Workspace.create('sqlite');
    await ws.district('springfield', FIRST_PASSWORD);
    const r = await ws.cli(['staff', 'create', 'springfield', '--email', ADMIN.email, '--password', ADMIN.password, '--role', 'admin']);
    assert.equal(r.code, 0, r.stderr);
    server = await ws.start();
    const token = await ws.token('springfield');
    for (const width of WIDTHS) {
      const res = await fetch(server.url('/api/v1/devices'), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ assetTag: `LT-${width}`, serialNumber: `SN-${width}`, model: 'Chromebook 3100' }),
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

  const canList = async (password: string) => (await opensshSftp({ port: server.sftpPort, username: 'springfield', password }, ['ls'])).code === 0;

  async function signedIn(width: number): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    // The Copy button writes the clipboard; the test reads it back as the person pasting would.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(server.url('/')).origin });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, server, ADMIN.email, ADMIN.password, '/settings');
    return { context, page, errors };
  }

  /** Tabs from the top of the page to the control whose text is `label` (at most 60 stops), as a keyboard user would. */
  async function tabTo(page: Page, label: string): Promise<void> {
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate<string | undefined>('document.activeElement?.textContent?.trim()')) === label) return;
    }
    assert.fail(`Tab never reached "${label}"`);
  }

  const noWiderThan = (page: Page, width: number) => page.evaluate<boolean>(`document.documentElement.scrollWidth <= ${width}`);

  for (const width of WIDTHS) {
    test(`at ${width} px resetting the SFTP password asks first; Cancel changes nothing; the new one is shown once with Copy; a reload resets nothing`, async () => {
      const { context, page, errors } = await signedIn(width);
      assert.equal(await page.locator('button:has-text("Reset the SFTP password")').count(), 0, 'no one-click button');

      await page.click('a:has-text("Reset the SFTP password")');
      assert.equal(new URL(page.url()).pathname, '/settings/sftp-password');
      const ask = (await page.textContent('main')) ?? '';
      assert.match(ask, /Reset the SFTP password\?/);
      assert.match(ask, /The current password stops working at once/);
      assert.ok(await noWiderThan(page, width), 'the confirmation fits the screen');
      await screenshot(page, `confirm-sftp-password-${width}`);

      // Cancel, by keyboard: back on Settings, no secret, and the password in use still logs in.
      await page.keyboard.press('Home');
      await tabTo(page, 'Cancel');
      await Promise.all([page.waitForURL((u) => u.pathname === '/settings'), page.keyboard.press('Enter')]);
      assert.equal(await page.locator('.secret').count(), 0);
      assert.equal(await canList(current), true, 'Cancel changed nothing');

      // Confirm, by keyboard.
      await page.click('a:has-text("Reset the SFTP password")');
      await tabTo(page, 'Reset the password');
      await Promise.all([page.waitForURL((u) => u.pathname === '/settings'), page.keyboard.press('Enter')]);
      assert.match(page.url(), /\?flash=/, 'the POST answered with a redirect');
      const shown = (await page.textContent('.secret code'))?.trim() ?? '';
      assert.match(shown, /^\S{12,}$/, 'a strong password is shown');
      assert.match((await page.textContent('.secret')) ?? '', /it will not be shown again/);
      const secretBox = await page.locator('.secret').boundingBox();
      assert.ok(secretBox && secretBox.x + secretBox.width <= width, 'the secret card fits the screen');

      await page.click('button.copy');
      // The clipboard answers asynchronously: wait for the button's outcome, whatever it says, then read it.
      await page.locator('.copied').filter({ hasText: /\S/ }).waitFor();
      assert.equal(((await page.textContent('.copied')) ?? '').trim(), 'Copied');
      assert.equal(await page.evaluate<string>('navigator.clipboard.readText()'), shown, 'Copy put the password on the clipboard');
      await screenshot(page, `secret-shown-once-${width}`);

      // Reloading the result page re-sends nothing: the password shown is still the one that works.
      await page.reload();
      assert.equal(await page.locator('.secret').count(), 0, 'shown once only');
      assert.equal(await canList(shown), true, 'the password shown still logs in after the reload');
      assert.equal(await canList(current), false, 'the one before it does not');
      current = shown;
      assert.deepEqual(errors, [], 'no console errors (a CSP violation would show here)');
      await context.close();
    });

    test(`at ${width} px retiring a device asks first; Cancel keeps it, Confirm retires it once`, async () => {
      const { context, page, errors } = await signedIn(width);
      const tag = `LT-${width}`;
      const status = async () => (await page.locator('dl.facts dt:has-text("Status") + dd').textContent())?.trim();
      await page.goto(server.url(`/devices/${tag}`));
      await page.click('a:has-text("Retire this device")');
      assert.equal(new URL(page.url()).pathname, `/devices/${tag}/retire`);
      assert.match((await page.textContent('main')) ?? '', new RegExp(`Retire ${tag}\\?.*will no longer be checked out`, 's'));
      assert.ok(await noWiderThan(page, width), 'the confirmation fits the screen');

      await page.click('a:has-text("Cancel")');
      assert.equal(new URL(page.url()).pathname, `/devices/${tag}`);
      assert.equal(await status(), 'Available', 'Cancel changed nothing');

      await page.click('a:has-text("Retire this device")');
      await page.click('button:has-text("Retire the device")');
      assert.equal(new URL(page.url()).pathname, `/devices/${tag}`);
      assert.match((await page.textContent('[role=status]')) ?? '', /Retired: it can no longer be checked out/);
      assert.equal(await status(), 'Retired');
      await page.reload();
      assert.equal(await page.locator('[role=status]').count(), 0, 'the notice is shown once');
      assert.equal(await status(), 'Retired');
      assert.equal(await page.locator('a:has-text("Retire this device")').count(), 0);
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
});
