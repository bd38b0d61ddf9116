import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { WebClient } from '../helpers/webClient.js';

const ADMIN = { email: 'skinner@springfield.k12.us', password: 'apple-polish-42' };

for (const dialect of DIALECTS) {
  describe(`API tokens on the Settings page (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let admin: WebClient;

    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('springfield');
      const r = await ws.cli(['staff', 'create', 'springfield', '--email', ADMIN.email, '--password', ADMIN.password, '--role', 'admin']);
      assert.equal(r.code, 0, r.stderr);
      server = await ws.start();
      admin = new WebClient(server);
      await admin.signIn(ADMIN.email, ADMIN.password);
      await admin.page('/settings');
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
    });

    const api = async (token: string) => (await fetch(server.url('/api/v1/intake/events'), { headers: { authorization: `Bearer ${token}` } })).status;

    test('an admin makes a token (shown once), the integration uses it, and revoking it stops it at once', async () => {
      const made = await admin.submit('/settings/api-tokens', { label: 'Help desk sync', days: '30' });
      assert.equal(made.posted, 303);
      const html = made.html;
      const token = /<code class="big"[^>]*>(lny_[^<]+)<\/code>/.exec(html)?.[1];
      assert.ok(token, 'the new token is shown');
      assert.match(html, /data-copy="secret-value"[^>]*>Copy<\/button>/);
      assert.match(html, /it will not be shown again/);
      const reloaded = await admin.page(made.location!);
      assert.ok(!reloaded.html.includes(token), 'reloading the result page does not show the token again, nor make another');
      assert.match(html, /Help desk sync/);
      assert.equal(await api(token), 200);

      const page = (await admin.page('/settings')).html;
      assert.ok(!page.includes(token), 'shown once: the page lists it by its first characters only');
      assert.equal((page.match(/Help desk sync/g) ?? []).length, 1, 'one token made, however often the page was loaded');
      const id = /href="\/settings\/api-tokens\/(\d+)\/revoke"/.exec(page)?.[1];
      assert.ok(id);
      const ask = await admin.page(`/settings/api-tokens/${id}/revoke`);
      assert.match(ask.html, new RegExp(`Revoke API token ${id}\\?`));
      assert.match(ask.html, /used by Help desk sync/);
      assert.equal(await api(token), 200, 'asking revokes nothing');
      const revoked = await admin.submit(`/settings/api-tokens/${id}/revoke`, {});
      assert.equal(revoked.posted, 303);
      assert.match(revoked.html, new RegExp(`API token ${id} is revoked: calls with it now get 401`));
      assert.equal(await api(token), 401);
    });

    test('a number of days that is not one is refused with what to give instead', async () => {
      await admin.page('/settings');
      const bad = await admin.form('/settings/api-tokens', { label: 'x', days: 'soon' });
      assert.equal(bad.status, 400);
      assert.match(await bad.text(), /&quot;soon&quot; is not a number of days: give a whole number such as 90, or leave it empty/);
    });
  });
}
