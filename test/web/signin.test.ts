import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { WebClient } from '../helpers/webClient.js';

/** A browser signing in by hand: forms go without the page's CSRF token unless the test adds it. */
class Browser extends WebClient {
  override form(path: string, fields: Record<string, string>) {
    return super.form(path, fields, { csrf: false });
  }
}

for (const dialect of DIALECTS) {
  describe(`signing in to the web app (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;

    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('springfield');
      const r = await ws.cli(['staff', 'create', 'springfield', '--email', 'Edna@Springfield.k12.us', '--password', 'apple-polish-42', '--role', 'technician']);
      assert.equal(r.code, 0, r.stderr);
      server = await ws.start();
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
    });

    test('a page without signing in leads to the sign-in form, which has email and password inputs', async () => {
      const b = new Browser(server);
      const res = await b.fetch('/settings');
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), '/login?next=%2Fsettings');
      const login = await b.fetch('/login');
      const page = await login.text();
      assert.match(page, /<input id="email" name="email" type="email"/);
      assert.match(page, /<input id="password" name="password" type="password"/);
    });

    test('every response carries the security headers', async () => {
      const res = await new Browser(server).fetch('/login');
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'/);
      assert.doesNotMatch(csp, /unsafe-inline/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    });

    test('a wrong password says so and sets no session; the right one leads into the app with a safe cookie', async () => {
      const b = new Browser(server);
      let res = await b.form('/login', { email: 'edna@springfield.k12.us', password: 'wrong-password', next: '/devices' });
      assert.equal(res.status, 401);
      assert.match(await res.text(), /That email and password do not match/);
      assert.equal(b.cookies.size, 0);

      res = await b.form('/login', { email: 'EDNA@springfield.k12.us', password: 'apple-polish-42', next: '/devices' });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), '/devices');
      const cookie = res.headers.getSetCookie().join('\n');
      assert.match(cookie, /lanyard_session=[^;]+;.*HttpOnly/i);
      assert.match(cookie, /SameSite=Lax/i);
    });

    test('sign-in never redirects to another site', async () => {
      const b = new Browser(server);
      const res = await b.form('/login', { email: 'edna@springfield.k12.us', password: 'apple-polish-42', next: '//evil.example/' });
      assert.equal(res.headers.get('location'), '/people');
      // A browser drops the tab and reads "//evil.example": resolved as it would be, it goes nowhere but the app.
      for (const next of ['/%09/evil.example', '/%0a/evil.example', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
        const again = await b.fetch(`/login?next=${next}`, { redirect: 'manual' });
        assert.equal(again.status, 303);
        assert.equal(again.headers.get('location'), '/people', next);
      }
      const inside = await b.fetch('/login?next=%2Fdevices%3Fq%3DLT', { redirect: 'manual' });
      assert.equal(inside.headers.get('location'), '/devices?q=LT', 'a place in the app is kept');
    });

    test('a sign-in form posted from another site is refused and signs no one in (login CSRF)', async () => {
      const res = await fetch(server.url('/login'), {
        method: 'POST',
        body: new URLSearchParams({ email: 'edna@springfield.k12.us', password: 'apple-polish-42' }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
        redirect: 'manual',
      });
      assert.equal(res.status, 403);
      assert.match(await res.text(), /This sign-in form came from another site/);
      assert.equal(res.headers.getSetCookie().length, 0);
      const own = await fetch(server.url('/login'), {
        method: 'POST',
        body: new URLSearchParams({ email: 'edna@springfield.k12.us', password: 'apple-polish-42' }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url('').replace(/\/$/, '') },
        redirect: 'manual',
      });
      assert.equal(own.status, 303, "the app's own page signs in");
    });

    test('signing out needs the page\'s CSRF token, then ends the session', async () => {
      const b = new Browser(server);
      await b.form('/login', { email: 'edna@springfield.k12.us', password: 'apple-polish-42' });
      const settings = await b.fetch('/settings');
      assert.equal(settings.status, 200);
      const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(await settings.text())?.[1];
      assert.ok(csrf);
      assert.equal((await b.form('/logout', {})).status, 403, 'without the token nothing happens');
      assert.equal((await b.fetch('/api/v1/intake/events')).status, 200, 'a signed-in session may use the API');
      const res = await b.form('/logout', { _csrf: csrf });
      assert.equal(res.status, 303);
      assert.equal((await b.fetch('/settings')).status, 303, 'signed out: back to the sign-in page');
      assert.equal((await b.fetch('/api/v1/intake/events')).status, 401);
    });
  });
}
