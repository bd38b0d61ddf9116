import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshot, signIn } from '../helpers/browser.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';

/**
 * Every page of the demo district on a phone (390 px) and a laptop (1280 px):
 * nothing makes the page scroll sideways (wide tables scroll inside their own
 * box), the navigation folds behind a Menu button on a phone, and the focus
 * ring stands out from what it is drawn on (WCAG 2.2's 3:1 for focus).
 */

interface DemoJson {
  signIn: { email: string; password: string };
}

/** Each kind of page a district's staff open, as the demo district fills them. */
const PAGES = [
  '/people',
  '/people?q=Okafor',
  '/devices',
  '/desk',
  '/incidents',
  '/photos',
  '/photos/retakes',
  '/rosters',
  '/settings',
  '/search?q=a',
];

/** WCAG's relative luminance and contrast ratio of two `rgb(...)` colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = (c.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
      const s = Number(v) / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** The focused element's outline colour and width, and the first opaque background behind it. */
async function focusRing(page: Page): Promise<{ outline: string; width: number; behind: string; tag: string }> {
  // The ring is drawn outside the element: what shows around it is the nearest opaque background of its parents.
  return page.evaluate(`(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    let behind = 'rgb(255, 255, 255)';
    for (let n = el.parentElement; n; n = n.parentElement) {
      const bg = getComputedStyle(n).backgroundColor;
      if (bg && bg !== 'transparent' && bg !== 'rgba(0, 0, 0, 0)') { behind = bg; break; }
    }
    return { outline: style.outlineColor, width: parseFloat(style.outlineWidth), behind, tag: el.tagName + ' ' + (el.textContent || '').trim().slice(0, 30) };
  })()`);
}

describe('every page fits a phone, with a navigation that folds and a focus ring that shows, in Chromium', () => {
  let ws: Workspace;
  let server: RunningLanyard;
  let browser: Browser;
  let admin: DemoJson['signIn'];
  const pages: string[] = [...PAGES];

  before(async () => {
    ws = await Workspace.create('sqlite');
    admin = (await ws.cliJson<DemoJson>(['demo'])).signIn;
    server = await ws.start();
    browser = await launchChromium();
    // A person, a device and an incident of the demo, reached as a user would: from their lists.
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, server, admin.email, admin.password, '/people');
    for (const [list, link] of [
      ['/people', 'a[href^="/people/"]'],
      ['/devices', 'a[href^="/devices/"]'],
      ['/incidents', 'a[href^="/incidents/"]'],
    ] as const) {
      await page.goto(server.url(list));
      const href = await page.locator(`main ${link}`).first().getAttribute('href');
      assert.ok(href, `${list} links to a profile`);
      pages.push(href);
    }
    await page.close();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await ws?.dispose();
  });

  async function signedIn(width: number): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width, height: 844 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, server, admin.email, admin.password, '/people');
    return { page, errors };
  }

  test('at 390 px no page scrolls sideways: wide tables scroll inside their own box', async () => {
    const { page, errors } = await signedIn(390);
    const wide: string[] = [];
    for (const path of pages) {
      await page.goto(server.url(path));
      const { scroll, client } = await page.evaluate<{ scroll: number; client: number }>(
        '({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })',
      );
      if (scroll > client) wide.push(`${path}: ${scroll} px wide`);
    }
    await page.goto(server.url('/devices'));
    await screenshot(page, 'phone-devices-390');
    assert.deepEqual(wide, [], 'pages wider than the phone');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('at 390 px an asset tag is never broken across lines', async () => {
    const { page } = await signedIn(390);
    await page.goto(server.url('/devices'));
    // A link broken across lines has one box per line.
    const broken = await page.evaluate<string[]>(
      `[...document.querySelectorAll('main a[href^="/devices/"]')].filter((a) => a.getClientRects().length > 1).map((a) => a.textContent)`,
    );
    assert.deepEqual(broken, []);
    await page.close();
  });

  test('at 390 px the navigation folds behind a Menu button that opens and closes it', async () => {
    const { page, errors } = await signedIn(390);
    await page.goto(server.url('/people'));
    const menu = page.getByRole('button', { name: 'Menu' });
    const devices = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' });
    assert.equal(await menu.isVisible(), true);
    assert.equal(await menu.getAttribute('aria-expanded'), 'false');
    assert.equal(await devices.isVisible(), false, 'the links are folded away');
    const header = await page.locator('header.top').boundingBox();
    assert.ok(header && header.height < 140, `the header takes ${header?.height} px of an 844 px screen`);
    await menu.click();
    assert.equal(await menu.getAttribute('aria-expanded'), 'true');
    await screenshot(page, 'phone-menu-390');
    await devices.click();
    await page.waitForURL(/\/devices$/);
    assert.equal(await page.textContent('h1'), 'Devices');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('at 1280 px the navigation is always shown and there is no Menu button', async () => {
    const { page } = await signedIn(1280);
    await page.goto(server.url('/people'));
    assert.equal(await page.getByRole('button', { name: 'Menu' }).isVisible(), false);
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).isVisible(), true);
    await page.close();
  });

  test("times say their zone: the reader's own in the browser, with UTC in the page as sent", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, timezoneId: 'America/Chicago' });
    await signIn(page, server, admin.email, admin.password, '/incidents');
    const time = page.locator('main time').first();
    const [text, iso] = [await time.textContent(), await time.getAttribute('datetime')];
    assert.ok(iso && text, 'the incident list shows when each was opened');
    const chicago = new Date(iso).toLocaleString('en-GB', { timeZone: 'America/Chicago', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    assert.match(text, /^\d{1,2} \w{3} \d{4}, \d{2}:\d{2} C[SD]T$/);
    assert.equal(text.replace(/ C[SD]T$/, ''), chicago);
    const sent = await (await page.request.get(server.url('/incidents'))).text();
    assert.match(sent, /<time datetime="[^"]+">\d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC<\/time>/);
    await page.close();
  });

  for (const width of [1280, 390]) {
    test(`at ${width} px the focus ring has at least 3:1 contrast with what is around it, in the header and in the page`, async () => {
      const { page } = await signedIn(width);
      await page.goto(server.url('/devices'));
      const seen: string[] = [];
      // Tab through the header and into the page: links, the search box, buttons, fields.
      for (let i = 0; i < 14; i++) {
        await page.keyboard.press('Tab');
        const ring = await focusRing(page);
        if (ring.tag.startsWith('BODY')) continue;
        assert.ok(ring.width >= 2, `${ring.tag}: the outline is ${ring.width} px`);
        const ratio = contrast(ring.outline, ring.behind);
        assert.ok(ratio >= 3, `${ring.tag}: outline ${ring.outline} on ${ring.behind} is ${ratio.toFixed(2)}:1`);
        seen.push(ring.tag);
      }
      assert.ok(seen.length >= 8, `focus reached ${seen.join(', ')}`);
      await page.close();
    });
  }
});
