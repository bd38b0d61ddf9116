import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { insertPeople } from '../helpers/people.js';
import { WebClient } from '../helpers/webClient.js';

const TECH = { email: 'edna@springfield.k12.us', password: 'apple-polish-42' };

for (const dialect of DIALECTS) {
  describe(`an incident's status moves its device (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let token: string;
    let web: WebClient;
    const api = (path: string, body?: unknown) =>
      fetch(server.url(path), {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const device = async (tag: string) => (await (await api(`/api/v1/devices/${tag}`)).json()) as { status: string; checkedOutTo: { localId: string } | null };
    const setStatus = async (id: number, status: string) => {
      await web.page(`/incidents/${id}`);
      const res = await web.form(`/incidents/${id}/notes`, { status, note: '' });
      assert.ok(res.status < 400, `setting ${status} answered ${res.status}`);
    };

    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('springfield');
      const r = await ws.cli(['staff', 'create', 'springfield', '--email', TECH.email, '--password', TECH.password, '--role', 'technician']);
      assert.equal(r.code, 0, r.stderr);
      await insertPeople(ws, 'springfield', [{ localId: '004410', firstName: 'Lisa', lastName: 'Simpson' }]);
      server = await ws.start();
      token = await ws.token('springfield');
      web = new WebClient(server);
      await web.signIn(TECH.email, TECH.password);
      for (const tag of ['LT-1', 'LT-2']) assert.equal((await api('/api/v1/devices', { assetTag: tag, model: 'Chromebook' })).status, 201);
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
    });

    test('in repair: checked in and unavailable; waiting for pickup: available again', async () => {
      assert.equal((await api('/api/v1/checkouts', { assetTag: 'LT-1', localId: '004410' })).status, 201);
      const opened = await api('/api/v1/incidents', { assetTag: 'LT-1', localId: '004410', type: 'damage', description: 'Cracked screen' });
      assert.equal(opened.status, 201);
      const { id } = (await opened.json()) as { id: number };
      await setStatus(id, 'in-repair');
      const atShop = await device('LT-1');
      assert.equal(atShop.checkedOutTo, null);
      assert.equal(atShop.status, 'in-repair');
      await setStatus(id, 'waiting-for-pickup');
      assert.equal((await device('LT-1')).status, 'available');
    });

    test('lost: checked in and lost, and it stays lost when the incident closes', async () => {
      assert.equal((await api('/api/v1/checkouts', { assetTag: 'LT-2', localId: '004410' })).status, 201);
      const { id } = (await (await api('/api/v1/incidents', { assetTag: 'LT-2', localId: '004410', type: 'loss', description: 'Left on the bus' })).json()) as { id: number };
      await setStatus(id, 'lost');
      assert.equal((await device('LT-2')).status, 'lost');
      await setStatus(id, 'closed');
      const closed = await device('LT-2');
      assert.equal(closed.status, 'lost');
      assert.equal(closed.checkedOutTo, null);
    });
  });
}
