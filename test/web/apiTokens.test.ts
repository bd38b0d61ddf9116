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
      const made = await admin.form('/settings/api-tokens', { label: 'Help desk sync', days: '30' });
      assert.equal(made.status, 200);
      const html = await made.text();
      const token = /<code class="big">(lny_[^<]+)<\/code>/.exec(html)?.[1];
      assert.ok(token, 'the new token is shown');
      assert.match(html, /Help desk sync/);
      assert.equal(await api(token), 200);

      const page = (await admin.page('/settings')).html;
      assert.ok(!page.includes(token), 'shown once: the page lists it by its first characters only');
      const id = /action="\/settings\/api-tokens\/(\d+)\/revoke"/.exec(page)?.[1];
      assert.ok(id);
      const revoked = await admin.form(`/settings/api-tokens/${id}/revoke`, {});
      assert.match(await revoked.text(), new RegExp(`API token ${id} is revoked: calls with it now get 401`));
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
