import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshot, signIn } from '../helpers/browser.js';
import { Workspace, type DistrictSheet, type RunningLanyard } from '../helpers/lanyard.js';
import { opensshSftp } from '../helpers/openssh.js';
import { run } from '../helpers/run.js';

const ADMIN = { email: 'skinner@springfield.k12.us', password: 'superintendent-1' };
const FIRST_PASSWORD = 'correct horse battery staple';

describe('the settings page in Chromium', () => {
  let ws: Workspace;
  let server: RunningLanyard;
  let browser: Browser;
  let sheet: DistrictSheet;

  before(async () => {
    ws = await Workspace.create('sqlite');
    sheet = await ws.district('springfield', FIRST_PASSWORD);
    await ws.cli(['staff', 'create', 'springfield', '--email', ADMIN.email, '--password', ADMIN.password, '--role', 'admin']);
    server = await ws.start();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await ws?.dispose();
  });

  const watchErrors = (page: Page) => {
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    return errors;
  };
  const canList = async (password: string) => (await opensshSftp({ port: server.sftpPort, username: 'springfield', password }, ['ls'])).code === 0;

  test('an admin signs in and finds the SFTP details and the fingerprints from the welcome sheet', async () => {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await signIn(page, server, ADMIN.email, ADMIN.password, '/settings');
    assert.equal(new URL(page.url()).pathname, '/settings');
    const text = await page.textContent('main');
    assert.match(text ?? '', /Username\s*springfield/);
    for (const k of sheet.hostKeys) {
      assert.ok(text?.includes(k.sha256), `shows ${k.sha256}`);
      assert.ok(text?.includes(k.md5), `shows ${k.md5}`);
    }
    await screenshot(page, 'settings');
    assert.deepEqual(errors, [], 'no console errors (a CSP violation would show here)');
    await page.close();
  });

  test('resetting the SFTP password shows the new one once; it logs in and the old one no longer does', async () => {
    const page = await browser.newPage();
    await signIn(page, server, ADMIN.email, ADMIN.password, '/settings');
    await page.click('a:has-text("Reset the SFTP password")');
    await page.click('button:has-text("Reset the password")');
    const shown = (await page.textContent('.secret code'))?.trim() ?? '';
    assert.match(shown, /^\S{12,}$/, 'a strong password is shown');
    await page.goto(server.url('/settings'));
    assert.equal(await page.locator('.secret').count(), 0, 'shown once only');
    assert.equal(await canList(shown), true, 'the new password logs in');
    assert.equal(await canList(FIRST_PASSWORD), false, 'the old one does not');
    await page.close();
  });

  test('an admin adds an SSH key, which then logs in; a bad key gets a message and changes nothing', async () => {
    const dir = await fs.mkdtemp(path.join(ws.dataDir, 'key-'));
    const keyFile = path.join(dir, 'id_ed25519');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'tech@springfield', '-f', keyFile]);
    const page = await browser.newPage();
    await signIn(page, server, ADMIN.email, ADMIN.password, '/settings');
    await page.fill('#ssh-key', 'ssh-ed25519 not-a-key');
    await page.click('button:has-text("Add key")');
    assert.match((await page.textContent('[role=alert]')) ?? '', /key/i);
    assert.match((await page.textContent('main')) ?? '', /No SSH keys yet/);

    await page.fill('#ssh-key', await fs.readFile(`${keyFile}.pub`, 'utf8'));
    await page.click('button:has-text("Add key")');
    assert.match((await page.textContent('[role=status]')) ?? '', /Key SHA256:\S+ added/);

    await page.selectOption('#sftp-auth', 'either');
    await page.click('form[action="/settings/sftp-auth"] button');
    assert.match((await page.textContent('main')) ?? '', /Logs in with\s*SSH key or password/);
    const r = await opensshSftp({ port: server.sftpPort, username: 'springfield', identity: keyFile }, ['ls']);
    assert.equal(r.code, 0, r.output);
    await page.close();
  });

  test('an admin invites a technician, who signs in with the one-time password but cannot change settings', async () => {
    const page = await browser.newPage();
    await signIn(page, server, ADMIN.email, ADMIN.password, '/settings');
    await page.fill('#staff-email', 'Willie@Springfield.k12.us');
    await page.selectOption('#staff-role', 'technician');
    await page.click('button:has-text("Invite")');
    const password = (await page.textContent('.secret code'))?.trim() ?? '';
    assert.match((await page.textContent('main')) ?? '', /willie@springfield\.k12\.us can now sign in as technician/);

    const tech = await browser.newPage();
    await signIn(tech, server, 'willie@springfield.k12.us', password, '/settings');
    assert.equal(new URL(tech.url()).pathname, '/account/password', 'a one-time password is replaced first');
    await tech.fill('#current-password', password);
    await tech.fill('#new-password', 'leaf-blower-77');
    await tech.fill('#repeat-password', 'leaf-blower-77');
    await tech.click('main button[type=submit]');
    await tech.goto(server.url('/settings'));
    assert.equal(new URL(tech.url()).pathname, '/settings');
    assert.equal(await tech.locator('text=Reset the SFTP password').count(), 0, 'no admin controls for a technician');
    await tech.goto(server.url('/settings/sftp-password'));
    assert.match((await tech.textContent('body')) ?? '', /Your role \(technician\) cannot do this/, 'nor its confirmation page');
    await tech.goto(server.url('/settings'));
    const csrf = await tech.getAttribute('meta[name=csrf-token]', 'content');
    const res = await tech.request.post(server.url('/settings/sftp-password'), { form: { _csrf: csrf ?? '' } });
    assert.equal(res.status(), 403);
    assert.match(await res.text(), /Your role \(technician\) cannot do this/);

    await page.locator('tr', { hasText: 'willie@springfield.k12.us' }).locator('a:has-text("Remove")').click();
    assert.match((await page.textContent('main')) ?? '', /willie@springfield\.k12\.us \(technician\) will no longer be able to sign in/);
    await page.click('button:has-text("Remove")');
    assert.match((await page.textContent('main')) ?? '', /willie@springfield\.k12\.us can no longer sign in/);
    await tech.goto(server.url('/settings'));
    assert.match(new URL(tech.url()).pathname, /^\/login/, 'their session ended with the account');
    await page.close();
    await tech.close();
  });

  test('a form posted without its CSRF token changes nothing', async () => {
    const page = await browser.newPage();
    await signIn(page, server, ADMIN.email, ADMIN.password, '/settings');
    const res = await page.request.post(server.url('/settings/sftp-password'), { form: {} });
    assert.equal(res.status(), 403);
    await page.close();
  });
});
