import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { WebClient } from '../helpers/webClient.js';

const DAY = 86_400_000;

for (const dialect of DIALECTS) {
  describe(`lanyard staff reset-password (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('springfield');
      const made = await ws.cli(['staff', 'create', 'springfield', '--email', 'edna@springfield.k12.us', '--password', 'apple-polish-42', '--role', 'technician']);
      assert.equal(made.code, 0, made.stderr);
      server = await ws.start();
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
    });

    test('a password given with `staff create` signs straight in, as before', async () => {
      const web = new WebClient(server);
      const res = await web.form('/login', { email: 'edna@springfield.k12.us', password: 'apple-polish-42' }, { csrf: false });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), '/people');
    });

    test('--json prints the one-time password and when it expires; signing in with it leads to Change my password, and the API says why it refuses', async () => {
      const r = await ws.cliJson<{ slug: string; email: string; password: string; mustChangePassword: boolean; expiresAt: string }>([
        'staff', 'reset-password', 'springfield', '--email', 'Edna@Springfield.k12.us',
      ]);
      assert.equal(r.email, 'edna@springfield.k12.us');
      assert.equal(r.mustChangePassword, true);
      const days = (Date.parse(r.expiresAt) - Date.now()) / DAY;
      assert.ok(days > 6.9 && days <= 7, `expires in 7 days (${days})`);

      const web = new WebClient(server);
      const old = await web.form('/login', { email: 'edna@springfield.k12.us', password: 'apple-polish-42' }, { csrf: false });
      assert.equal(old.status, 401, 'the old password stops working');
      const res = await web.form('/login', { email: 'edna@springfield.k12.us', password: r.password }, { csrf: false });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), '/account/password');
      const people = await web.fetch('/people');
      assert.equal(people.status, 303);
      assert.equal(people.headers.get('location'), '/account/password');
      const api = await web.fetch('/api/v1/intake/events?after=0');
      assert.equal(api.status, 403);
      assert.match(((await api.json()) as { error: string }).error, /You signed in with a one-time password: choose your own password first/);
      // A Bearer header that names no token is not a token: the session behind it is still held back.
      const malformed = await web.fetch('/api/v1/intake/events?after=0', { headers: { authorization: 'Bearer a b' } });
      assert.equal(malformed.status, 403);
    });

    test('without --json it says the password must be changed at first sign-in and when it stops working', async () => {
      const r = await ws.cli(['staff', 'reset-password', 'springfield', '--email', 'edna@springfield.k12.us']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^One-time password for edna@springfield\.k12\.us: \S{20,}\n/);
      assert.match(r.stdout, /must choose their own password when they first sign in with it\. It stops working at \d{4}-\d\d-\d\dT[\d:.]+Z \(UTC, 7 days from now\)/);
    });

    test('an unknown email or district gets a sentence and exit code 1', async () => {
      const nobody = await ws.cli(['staff', 'reset-password', 'springfield', '--email', 'nobody@springfield.k12.us']);
      assert.equal(nobody.code, 1);
      assert.match(nobody.stderr, /Nobody signs in to springfield as nobody@springfield\.k12\.us: check the spelling, or make the sign-in with "lanyard staff create springfield"/);
      const nowhere = await ws.cli(['staff', 'reset-password', 'ogdenville', '--email', 'edna@springfield.k12.us']);
      assert.equal(nowhere.code, 1);
      assert.match(nowhere.stderr, /There is no district called "ogdenville"/);
    });
  });
}
