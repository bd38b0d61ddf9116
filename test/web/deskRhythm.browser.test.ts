import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshot, signIn } from '../helpers/browser.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { insertPeople } from '../helpers/people.js';

const TECH = { email: 'edna@springfield.k12.us', password: 'apple-polish-42' };

/**
 * The desk's rhythm after its redirects (POST, then GET): a reload repeats
 * nothing, Undo takes back the last action for a minute, the cursor stays in
 * the field of the action just done, and a device's open incidents are named
 * before it changes hands. On a laptop and on a phone.
 */
describe('the check-out desk keeps its rhythm in Chromium', () => {
  let ws: Workspace;
  let server: RunningLanyard;
  let browser: Browser;
  let token: string;
  const errors: string[] = [];

  const api = async (path: string, body?: unknown) => {
    const res = await fetch(server.url(`/api/v1${path}`), {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const holderOf = async (tag: string) => ((await api(`/devices/${tag}`)).body.checkedOutTo as { localId: string } | null)?.localId ?? null;
  const focused = (page: Page) => page.evaluate('document.activeElement && document.activeElement.id');
  /** The device page's history rows, as text. */
  const historyOf = async (page: Page, tag: string) => {
    await page.goto(server.url(`/devices/${tag}`));
    return page.locator('main table tbody tr').allTextContents();
  };

  before(async () => {
    ws = await Workspace.create('sqlite');
    await ws.district('springfield');
    const r = await ws.cli(['staff', 'create', 'springfield', '--email', TECH.email, '--password', TECH.password, '--role', 'technician']);
    assert.equal(r.code, 0, r.stderr);
    await insertPeople(ws, 'springfield', [
      { localId: '004410', firstName: 'Lisa', lastName: 'Simpson', grade: '2', school: 'Springfield Elementary' },
      { localId: '004411', firstName: 'Bart', lastName: 'Simpson', grade: '4', school: 'Springfield Elementary' },
    ]);
    server = await ws.start();
    token = await ws.token('springfield');
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await ws?.dispose();
  });

  for (const width of [1280, 390]) {
    describe(`at ${width} px`, () => {
      let page: Page;
      const tag = (n: number) => `LT-${width}-${n}`;

      before(async () => {
        page = await browser.newPage({ viewport: { width, height: 900 } });
        // A refusal is answered 409 on purpose, which Chromium logs as a failed resource: only script errors count.
        page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(`${width}: ${m.text()}`));
        page.on('pageerror', (e) => errors.push(`${width}: ${e.message}`));
        await signIn(page, server, TECH.email, TECH.password, '/desk');
        for (const n of [1, 2, 3, 4, 5, 6]) assert.equal((await api('/devices', { assetTag: tag(n), model: 'Chromebook 3100' })).status, 201);
      });
      after(async () => {
        await page?.close();
      });

      test('a check-out by keyboard redirects; reloading the page repeats nothing, and the cursor is ready for the next scan', async () => {
        await page.goto(server.url('/desk'));
        await page.keyboard.type(tag(1).toLowerCase());
        await page.keyboard.press('Enter');
        await page.waitForURL(/assetTag=/);
        await page.keyboard.type('004410');
        await page.keyboard.press('Enter');
        await page.getByRole('button', { name: 'Confirm check-out' }).waitFor();
        await page.keyboard.press('Enter');
        await page.waitForURL(/\/desk\?done=checkout:\d+$/);
        assert.match((await page.textContent('.notice')) ?? '', new RegExp(`${tag(1)} is checked out to Lisa Simpson`));
        assert.equal(await focused(page), 'assetTag', 'ready for the next scan after the redirect');

        await page.reload();
        assert.match((await page.textContent('.notice')) ?? '', new RegExp(`${tag(1)} is checked out to Lisa Simpson`), 'the banner is read back, not re-done');
        assert.equal(await page.locator('.error').count(), 0, 'no "already checked out" from a repeated POST');
        assert.equal(await focused(page), 'assetTag');
        assert.equal(await holderOf(tag(1)), '004410');
        const history = await historyOf(page, tag(1));
        assert.equal(history.length, 1, `one check-out, not two: ${JSON.stringify(history)}`);
        assert.match(history[0] ?? '', /Lisa Simpson.*Still out/);
      });

      test('a double click on Confirm check-out sends it once and shows that it was done', async () => {
        await page.goto(server.url(`/desk?assetTag=${tag(6)}&person=004411`));
        // Two clicks in one go, as a double click lands; after the page's own handler, note whether each was refused.
        const refused = await page.evaluate(`(() => {
          const button = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Confirm check-out');
          const seen = [];
          button.form.addEventListener('submit', (e) => seen.push(e.defaultPrevented));
          button.click();
          button.click();
          return seen;
        })()`);
        assert.deepEqual(refused, [false, true], 'the second click is not sent');
        await page.waitForURL(/\/desk\?done=checkout:\d+$/);
        assert.match((await page.textContent('.notice')) ?? '', new RegExp(`${tag(6)} is checked out to Bart Simpson`));
        assert.equal(await page.locator('.error').count(), 0);
        const history = await historyOf(page, tag(6));
        assert.equal(history.length, 1, `one check-out: ${JSON.stringify(history)}`);
      });

      test('Undo on the banner puts a checked-out device back, and the history says it was undone', async () => {
        await page.goto(server.url(`/desk?assetTag=${tag(2)}&person=004411`));
        await page.getByRole('button', { name: 'Confirm check-out' }).click();
        await page.waitForURL(/done=checkout:\d+/);
        assert.equal(await holderOf(tag(2)), '004411');
        await screenshot(page, `desk-undo-${width}`);
        await page.getByRole('button', { name: 'Undo' }).click();
        await page.waitForURL(/\/desk\?undone=checkout:\d+$/);
        assert.match((await page.textContent('.notice')) ?? '', new RegExp(`Undone: ${tag(2)} was not checked out to Bart Simpson and is available again`));
        assert.equal(await page.getByRole('button', { name: 'Undo' }).count(), 0, 'nothing more to undo');
        assert.equal(await focused(page), 'assetTag');
        assert.equal(await holderOf(tag(2)), null);
        assert.equal((await api(`/devices/${tag(2)}`)).body.status, 'available');
        await page.reload();
        assert.equal(await holderOf(tag(2)), null, 'reloading the undo repeats nothing either');
        await page.goBack();
        await page.waitForURL(/done=checkout:\d+/);
        assert.equal(await page.locator('.notice').count(), 0, 'Back does not announce the undone check-out as done');
        const history = await historyOf(page, tag(2));
        assert.equal(history.length, 1);
        assert.match(history[0] ?? '', /Bart Simpson.*Undone/);
      });

      test('a check-in keeps the cursor in the check-in field after its redirect, and its Undo gives the device back to its holder', async () => {
        assert.equal((await api('/checkouts', { assetTag: tag(3), localId: '004410' })).status, 201);
        await page.goto(server.url('/desk'));
        await page.fill('#checkin-tag', tag(3).toLowerCase());
        await page.press('#checkin-tag', 'Enter');
        await page.waitForURL(/\/desk\?done=checkin:\d+$/);
        assert.match((await page.textContent('.notice')) ?? '', new RegExp(`${tag(3)} is checked in from Lisa Simpson`));
        assert.equal(await focused(page), 'checkin-tag');
        await page.reload();
        assert.equal(await page.locator('.error').count(), 0, 'no "not checked out" from a repeated POST');
        assert.equal(await focused(page), 'checkin-tag');
        assert.equal(await holderOf(tag(3)), null);

        await page.getByRole('button', { name: 'Undo' }).click();
        await page.waitForURL(/undone=checkin:\d+/);
        assert.match((await page.textContent('.notice')) ?? '', new RegExp(`Undone: ${tag(3)} is checked out to Lisa Simpson again`));
        assert.equal(await focused(page), 'checkin-tag', 'the run of returns goes on');
        assert.equal(await holderOf(tag(3)), '004410');
      });

      test('an open incident is named with its link before the check-out is confirmed; one "In repair" is named in the refusal', async () => {
        const opened = await api('/incidents', { assetTag: tag(4), localId: '004410', type: 'damage', description: 'Screen cracked' });
        assert.equal(opened.status, 201);
        await page.goto(server.url('/desk'));
        await page.keyboard.type(tag(4));
        await page.keyboard.press('Enter');
        await page.waitForURL(/assetTag=/);
        const warning = page.locator('.incident-warning');
        assert.match((await warning.textContent()) ?? '', new RegExp(`${tag(4)} has an open incident: Screen cracked, Open \\(opened \\d+ \\w+`));
        assert.equal(await focused(page), 'person', 'the warning does not take the cursor');
        await page.keyboard.type('004411');
        await page.keyboard.press('Enter');
        await page.getByRole('button', { name: 'Confirm check-out' }).waitFor();
        assert.match((await page.locator('.confirm .incident-warning').textContent()) ?? '', /Screen cracked, Open/, 'still shown at the confirmation');
        await screenshot(page, `desk-incident-${width}`);
        await page.locator('.confirm .incident-warning a').click();
        await page.waitForURL(new RegExp(`/incidents/${String(opened.body.id)}$`));

        // At the repair shop: the device is with no one and cannot go out; the refusal names the incident.
        const shop = await api('/incidents', { assetTag: tag(5), localId: '004410', type: 'damage', description: 'Keyboard missing keys' });
        await page.goto(server.url(`/incidents/${String(shop.body.id)}`));
        await page.selectOption('#status', 'in-repair');
        await page.click('button:has-text("Add to timeline")');
        await page.waitForSelector('text=Status: In repair');
        await page.goto(server.url('/desk'));
        await page.keyboard.type(tag(5));
        await page.keyboard.press('Enter');
        await page.locator('.error').waitFor();
        const refusal = (await page.textContent('.error')) ?? '';
        assert.match(refusal, new RegExp(`${tag(5)} is marked in-repair \\(open incident: Keyboard missing keys, In repair \\(opened [^)]+\\)\\)`));
        assert.match((await page.locator('.incident-warning').textContent()) ?? '', /Keyboard missing keys, In repair/);
        assert.equal(await page.locator(`.incident-warning a[href="/incidents/${String(shop.body.id)}"]`).count(), 1);
        assert.equal(await page.getByRole('button', { name: 'Confirm check-out' }).count(), 0);
      });

      test('an Undo after the device moved on is refused with a sentence saying why, and changes nothing', async () => {
        await page.goto(server.url(`/desk?assetTag=${tag(1)}`));
        await page.getByRole('button', { name: 'Check it in' }).click();
        await page.waitForURL(/done=checkin:\d+/);
        // Meanwhile another desk checks it out again (over the API); this banner's Undo is now stale.
        assert.equal((await api('/checkouts', { assetTag: tag(1), localId: '004411' })).status, 201);
        await page.getByRole('button', { name: 'Undo' }).click();
        await page.locator('.error').waitFor();
        assert.equal(await page.textContent('.error'), `${tag(1)} has been checked out again since, so its check-in can no longer be undone.`);
        assert.equal(await holderOf(tag(1)), '004411', 'Bart keeps it');
      });

      test('the desk fits the screen', async () => {
        await page.goto(server.url(`/desk?assetTag=${tag(4)}&person=004411`));
        const wide = await page.evaluate('document.documentElement.scrollWidth');
        // What sticks out, named in the failure, so it can be found.
        const over = await page.evaluate(`[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > ${width} + 0.5).map((e) => e.tagName + '.' + e.className + '#' + e.id).slice(0, 8).join(' ')`);
        assert.ok(Number(wide) <= width, `the desk is ${String(wide)} px wide: ${String(over)}`);
      });
    });
  }

  test('no page broke the content security policy or threw', () => {
    assert.deepEqual(errors, []);
  });
});
