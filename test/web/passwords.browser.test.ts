import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { openDb } from '../../src/db/db.js';
import { launchChromium, screenshot, signIn } from '../helpers/browser.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';

const ADMIN = { email: 'skinner@springfield.k12.us', password: 'superintendent-1' };
const WIDTHS = [1280, 390] as const;

describe('staff passwords in Chromium: invited, forced to change, reset by an admin, expired', () => {
  let ws: Workspace;
  let server: RunningLanyard;
  let browser: Browser;

  before(async () => {
    ws = await Workspace.create('sqlite');
    await ws.district('springfield');
    const r = await ws.cli(['staff', 'create', 'springfield', '--email', ADMIN.email, '--password', ADMIN.password, '--role', 'admin']);
    assert.equal(r.code, 0, r.stderr);
    server = await ws.start();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await ws?.dispose();
  });

  /** A fresh browser (its own cookies) at this width, collecting script and CSP errors. */
  async function open(width: number): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    return { page, errors };
  }

  /** Fills the sign-in form and waits for whatever page it answers with. */
  async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
    await page.goto(server.url('/login'));
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', password);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  }

  const path = (page: Page) => new URL(page.url()).pathname;
  const mainText = async (page: Page) => ((await page.textContent('main')) ?? '').replace(/\s+/g, ' ');
  const noWiderThanScreen = async (page: Page) => (await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')) === true;

  for (const width of WIDTHS) {
    test(`at ${width} px: invited, made to choose a password, then reset by an admin with a confirm step; a reload shows nothing new`, async () => {
      const tech = `tech${width}@springfield.k12.us`;
      const own = `my-own-password-${width}`;

      const admin = await open(width);
      await signIn(admin.page, server, ADMIN.email, ADMIN.password, '/settings');
      await admin.page.fill('#staff-email', tech);
      await admin.page.selectOption('#staff-role', 'technician');
      await admin.page.click('button:has-text("Invite")');
      const oneTime = ((await admin.page.textContent('.secret code')) ?? '').trim();
      assert.match(oneTime, /^\S{20,}$/);
      assert.match(await mainText(admin.page), /stops working after 7 days/);

      // First sign-in with the one-time password: straight to Change my password, and nothing else opens.
      const t = await open(width);
      await submitSignIn(t.page, tech, oneTime);
      assert.equal(path(t.page), '/account/password');
      assert.match(await mainText(t.page), /You signed in with a one-time password\. Choose your own password to continue/);
      assert.equal(await noWiderThanScreen(t.page), true, 'the page fits the screen');
      await screenshot(t.page, `change-password-${width}`);
      for (const elsewhere of ['/devices', '/desk', '/settings', '/people?q=x']) {
        await t.page.goto(server.url(elsewhere));
        assert.equal(path(t.page), '/account/password', `${elsewhere} leads to the change-password page`);
      }

      // Mistakes are explained and change nothing.
      await t.page.fill('#current-password', 'not-the-one-time-password');
      await t.page.fill('#new-password', own);
      await t.page.fill('#repeat-password', own);
      await t.page.click('main button[type=submit]');
      assert.match((await t.page.textContent('[role=alert]')) ?? '', /Your current password is not right/);
      await t.page.fill('#current-password', oneTime);
      await t.page.fill('#new-password', own);
      await t.page.fill('#repeat-password', `${own}x`);
      await t.page.click('main button[type=submit]');
      assert.match((await t.page.textContent('[role=alert]')) ?? '', /The two new passwords are not the same/);
      await t.page.goto(server.url('/devices'));
      assert.equal(path(t.page), '/account/password', 'still held until a password is set');

      await t.page.fill('#current-password', oneTime);
      await t.page.fill('#new-password', own);
      await t.page.fill('#repeat-password', own);
      await t.page.click('main button[type=submit]');
      assert.match(await mainText(t.page), /Your password is changed/);
      await t.page.goto(server.url('/devices'));
      assert.equal(path(t.page), '/devices', 'the rest of Lanyard opens');
      // On a phone the link is in the folding menu.
      if (await t.page.locator('.menu-toggle').isVisible()) await t.page.click('.menu-toggle');
      await t.page.getByRole('link', { name: 'Change my password' }).click();
      assert.equal(path(t.page), '/account/password', 'the header links to Change my password');
      assert.doesNotMatch(await mainText(t.page), /one-time password/);

      // The old one-time password fails now; the new one works.
      const again = await open(width);
      await submitSignIn(again.page, tech, oneTime);
      assert.equal(path(again.page), '/login');
      assert.match((await again.page.textContent('[role=alert]')) ?? '', /do not match/);
      await submitSignIn(again.page, tech, own);
      assert.equal(path(again.page), '/people');
      await again.page.close();

      // The admin resets it: a confirmation first, then the new one-time password once.
      await admin.page.goto(server.url('/settings'));
      await screenshot(admin.page, `password-settings-${width}`);
      await admin.page.locator('tr', { hasText: tech }).getByRole('link', { name: 'Reset password' }).click();
      assert.match(await mainText(admin.page), new RegExp(`Reset the password of ${tech.replace(/\./g, '\\.')}\\? Their current password stops working\\.`));
      await screenshot(admin.page, `password-reset-confirm-${width}`);
      await admin.page.click('button:has-text("Confirm")');
      assert.match(path(admin.page), /^\/settings\/password-reset\//);
      const reset = ((await admin.page.textContent('.secret code')) ?? '').trim();
      assert.match(reset, /^\S{20,}$/);
      assert.notEqual(reset, oneTime);
      assert.equal(await noWiderThanScreen(admin.page), true, 'the result fits the screen');
      await screenshot(admin.page, `password-reset-${width}`);

      await admin.page.reload();
      assert.equal(await admin.page.locator('.secret').count(), 0, 'shown once only');
      assert.match(await mainText(admin.page), /already been shown .* the password was not reset again/);

      // The technician's browser was signed out; the shown password (not reset again by the reload) signs in and must be changed.
      await t.page.goto(server.url('/devices'));
      assert.equal(path(t.page), '/login', 'their session ended');
      await submitSignIn(t.page, tech, own);
      assert.equal(path(t.page), '/login', 'their own password stopped working');
      await submitSignIn(t.page, tech, reset);
      assert.equal(path(t.page), '/account/password');

      // A refused form (400) and a wrong password (401) are answers, not errors; anything else would be.
      const unexpected = [...admin.errors, ...t.errors].filter((e) => !/status of 40[01] /.test(e));
      assert.deepEqual(unexpected, [], 'no script or CSP errors');
      await admin.page.close();
      await t.page.close();
    });
  }

  test('an expired one-time password is refused with a sentence saying what to do', async () => {
    const tech = 'otto@springfield.k12.us';
    await ws.cliJson(['staff', 'create', 'springfield', '--email', tech, '--password', 'school-bus-1', '--role', 'viewer']);
    const r = await ws.cliJson<{ password: string }>(['staff', 'reset-password', 'springfield', '--email', tech]);
    const db = await openDb({ dataDir: ws.dataDir, databaseUrl: ws.databaseUrl });
    try {
      await db.kysely.updateTable('staff').set({ one_time_expires_at: new Date(Date.now() - 60_000).toISOString() }).where('email', '=', tech).execute();
    } finally {
      await db.close();
    }
    for (const width of WIDTHS) {
      const { page, errors } = await open(width);
      await submitSignIn(page, tech, r.password);
      assert.equal(path(page), '/login');
      assert.match((await page.textContent('[role=alert]')) ?? '', /This one-time password has expired \(they work for 7 days\)\. Ask a Lanyard admin of your district to reset your password\./);
      assert.deepEqual(errors.filter((e) => !/status of 401 /.test(e)), [], 'no script or CSP errors');
      await page.close();
    }
  });
});
