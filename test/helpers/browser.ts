import fs from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO, type RunningLanyard } from './lanyard.js';

/** Debian's Chromium, headless, with nothing that phones home (the machine has no network). */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.LANYARD_TEST_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Opens `target`, which leads to the sign-in form; signs in there as a person would and lands back on `target`. */
export async function signIn(page: Page, server: RunningLanyard, email: string, password: string, target = '/people'): Promise<void> {
  await page.goto(server.url(target));
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
}

/** Screenshots land in test-output/screenshots; the README shows the main pages from there (docs/screenshots). */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = path.join(REPO, 'test-output', 'screenshots');
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
