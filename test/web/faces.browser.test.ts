import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshot, signIn } from '../helpers/browser.js';
import { FIXTURES, Workspace, type DistrictSheet, type RunningLanyard } from '../helpers/lanyard.js';
import { opensshSftp } from '../helpers/openssh.js';

const TECH = { email: 'edna@springfield.k12.us', password: 'apple-polish-42' };
const NAME = 'Sofia Okafor';
const LOCAL_ID = '100105';

interface ApiPerson {
  photo: null | { url: string; sha256: string };
}

describe('the photo uploaded over SFTP is the face on every page, in Chromium', () => {
  let ws: Workspace;
  let server: RunningLanyard;
  let browser: Browser;
  let page: Page;
  let sheet: DistrictSheet;
  let token: string;
  const errors: string[] = [];

  const sftp = async (commands: string[]) => {
    const r = await opensshSftp({ port: server.sftpPort, username: 'springfield', password: sheet.sftp.password }, commands);
    assert.equal(r.code, 0, r.output);
  };
  const person = async (t = token): Promise<{ status: number; body: ApiPerson }> => {
    const res = await fetch(server.url(`/api/v1/people/${LOCAL_ID}`), { headers: { authorization: `Bearer ${t}` } });
    return { status: res.status, body: (await res.json()) as ApiPerson };
  };
  /** Polls (generously) until the API shows what the test waits for. */
  const until = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  /** The <img> with the person's name as alt, loaded (the browser was allowed to fetch it). */
  const faceOnPage = async () => {
    const img = page.locator(`img[alt="${NAME}"]`).first();
    await img.waitFor();
    await page.waitForFunction(`Array.from(document.images).some((i) => i.alt === ${JSON.stringify(NAME)} && i.complete && i.naturalWidth > 0)`);
    return (await img.getAttribute('src')) ?? '';
  };

  before(async () => {
    ws = await Workspace.create('sqlite');
    sheet = await ws.district('springfield');
    await ws.district('shelbyville');
    token = await ws.token('springfield');
    const r = await ws.cli(['staff', 'create', 'springfield', '--email', TECH.email, '--password', TECH.password, '--role', 'technician']);
    assert.equal(r.code, 0, r.stderr);
    server = await ws.start();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

    await sftp(['cd data', `put ${path.join(FIXTURES, 'rosters/native/students.csv')}`]);
    await until('the roster import', async () => ((await person()).status === 200 ? true : undefined));
    await sftp(['cd idphotos', `put ${path.join(FIXTURES, 'photos/valid', `${LOCAL_ID}.png`)}`]);
    await until('the photo', async () => (await person()).body.photo ?? undefined);
    await signIn(page, server, TECH.email, TECH.password, `/people/${LOCAL_ID}`);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await ws?.dispose();
  });

  test('the User Profile shows the photo, with the person\'s name as alt and an opaque URL', async () => {
    const src = await faceOnPage();
    assert.ok(!src.includes(LOCAL_ID), `the URL says nothing about the person: ${src}`);
    await screenshot(page, 'user-profile-photo');
    await page.goto(server.url('/people?q=Okafor'));
    const thumb = page.locator(`img[alt="${NAME}"]`);
    assert.equal(await thumb.getAttribute('loading'), 'lazy');
  });

  test('the desk, the Device Profile and the Incident show the same face', async () => {
    await page.goto(server.url('/devices'));
    await page.fill('#assetTag', 'LT-7001');
    await page.click('button:has-text("Add device")');
    await page.waitForURL(/\/devices\/LT-7001\?flash=/);

    await page.goto(server.url('/desk'));
    await page.keyboard.type('LT-7001');
    await page.keyboard.press('Enter');
    await page.waitForURL(/assetTag=LT-7001/);
    await page.keyboard.type(LOCAL_ID);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Confirm check-out' }).waitFor();
    await faceOnPage();
    await screenshot(page, 'desk-confirm-photo');
    await page.keyboard.press('Enter');
    await page.waitForURL(/done=checkout:\d+/);

    await page.goto(server.url('/devices/LT-7001'));
    await faceOnPage();
    await screenshot(page, 'device-profile-photo');

    await page.getByRole('link', { name: 'Open an incident' }).click();
    await page.waitForURL(/\/incidents\/new/);
    await page.selectOption('#type', 'loss');
    await page.fill('#description', 'Left on the bus');
    await page.click('button:has-text("Open incident")');
    await page.waitForURL(/\/incidents\/\d+\?flash=/);
    await faceOnPage();
    await screenshot(page, 'incident-photo');
  });

  test('a replacement over SFTP is the face everywhere after a reload', async () => {
    const before = (await person()).body.photo!;
    await page.goto(server.url(`/people/${LOCAL_ID}`));
    const oldSrc = await faceOnPage();
    await sftp(['cd idphotos', `put ${path.join(FIXTURES, 'photos/replacement', `${LOCAL_ID}.jpg`)}`]);
    await until('the replacement', async () => {
      const p = (await person()).body.photo;
      return p && p.sha256 !== before.sha256 ? p : undefined;
    });
    for (const where of [`/people/${LOCAL_ID}`, '/devices/LT-7001']) {
      await page.goto(server.url(where));
      const src = await faceOnPage();
      assert.notEqual(src, oldSrc, `${where} shows the new photo`);
    }
  });

  test('another district gets 404 for this person and this photo', async () => {
    const other = await ws.token('shelbyville');
    const photo = (await person()).body.photo!;
    assert.equal((await person(other)).status, 404);
    const res = await fetch(server.url(photo.url), { headers: { authorization: `Bearer ${other}` } });
    assert.equal(res.status, 404);
    const anonymous = await fetch(server.url(photo.url));
    assert.equal(anonymous.status, 401);
  });

  test('signing out stops the photo loading at once, though photo requests trust a session found a moment ago', async () => {
    await page.goto(server.url(`/people/${LOCAL_ID}`));
    const src = await faceOnPage();
    const session = (await page.context().cookies()).find((c) => c.name === 'lanyard_session');
    assert.ok(session, 'signed in');
    const withCookie = () => fetch(server.url(src), { headers: { cookie: `lanyard_session=${session.value}` } });
    assert.equal((await withCookie()).status, 200, 'the photo loads with the session (and is now remembered)');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
    const after = await withCookie();
    assert.equal(after.status, 401, 'the ended session no longer loads the photo');
    assert.match(((await after.json()) as { error: string }).error, /Sign in first/);
  });

  test('no page broke the content security policy', () => {
    assert.deepEqual(errors, []);
  });
});
