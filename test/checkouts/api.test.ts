import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { insertPeople } from '../helpers/people.js';

for (const dialect of DIALECTS) {
  describe(`devices, check-outs and incidents over the API (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;
    let token: string;
    let otherToken: string;

    const call = async (path: string, body?: unknown, t = token) => {
      const res = await fetch(server.url(`/api/v1${path}`), {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${t}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };

    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('springfield');
      await ws.district('shelbyville');
      token = await ws.token('springfield');
      otherToken = await ws.token('shelbyville');
      await insertPeople(ws, 'springfield', [
        { localId: '004410', firstName: 'Lisa', lastName: 'Simpson', grade: '2', school: 'Springfield Elementary' },
        { localId: '004411', firstName: 'Bart', lastName: 'Simpson', grade: '4', school: 'Springfield Elementary' },
        { localId: '009999', firstName: 'Martin', lastName: 'Prince', active: false },
      ]);
      server = await ws.start();
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
    });

    test('a new device is available and with nobody', async () => {
      const created = await call('/devices', { assetTag: 'LT-0001', serialNumber: 'SN123', model: 'Chromebook 3100' });
      assert.equal(created.status, 201);
      assert.equal(created.body.assetTag, 'LT-0001');
      const got = await call('/devices/LT-0001');
      assert.equal(got.status, 200);
      assert.deepEqual(
        { assetTag: got.body.assetTag, serialNumber: got.body.serialNumber, model: got.body.model, status: got.body.status, checkedOutTo: got.body.checkedOutTo },
        { assetTag: 'LT-0001', serialNumber: 'SN123', model: 'Chromebook 3100', status: 'available', checkedOutTo: null },
      );
      const dup = await call('/devices', { assetTag: 'LT-0001' });
      assert.equal(dup.status, 409);
      assert.match(String(dup.body.error), /already exists/);
    });

    test('checking a device out shows who has it since when; a second check-out is refused until it is checked in', async () => {
      await call('/devices', { assetTag: 'LT-0002', model: 'Chromebook' });
      const out = await call('/checkouts', { assetTag: 'LT-0002', localId: '004410' });
      assert.equal(out.status, 201, JSON.stringify(out.body));
      const got = await call('/devices/LT-0002');
      const to = got.body.checkedOutTo as { localId: string; since: string };
      assert.equal(to.localId, '004410');
      assert.ok(!Number.isNaN(Date.parse(to.since)));
      assert.equal(got.body.status, 'checked-out');

      const again = await call('/checkouts', { assetTag: 'LT-0002', localId: '004411' });
      assert.equal(again.status, 409);
      assert.match(String(again.body.error), /already checked out to Lisa Simpson/);
      assert.equal(again.body.message, again.body.error, 'the reason is also under "message"');

      const back = await call('/checkins', { assetTag: 'LT-0002' });
      assert.equal(back.status, 200);
      assert.equal((await call('/devices/LT-0002')).body.checkedOutTo, null);
      const twice = await call('/checkins', { assetTag: 'LT-0002' });
      assert.equal(twice.status, 409);
      assert.match(String(twice.body.error), /not checked out/);

      assert.equal((await call('/checkouts', { assetTag: 'LT-0002', localId: '004411' })).status, 201, 'free again after check-in');
    });

    test('check-outs to an inactive or unknown person, or of an unknown device, are refused with a reason', async () => {
      await call('/devices', { assetTag: 'LT-0003' });
      const inactive = await call('/checkouts', { assetTag: 'LT-0003', localId: '009999' });
      assert.equal(inactive.status, 409);
      assert.match(String(inactive.body.error), /Martin Prince .* inactive/);
      const unknown = await call('/checkouts', { assetTag: 'LT-0003', localId: '123456' });
      assert.equal(unknown.status, 404);
      assert.match(String(unknown.body.error), /No one has Local ID 123456/);
      const noDevice = await call('/checkouts', { assetTag: 'NOPE-1', localId: '004410' });
      assert.equal(noDevice.status, 404);
      assert.match(String(noDevice.body.error), /No device has asset tag NOPE-1/);
      assert.equal((await call('/devices/LT-0003')).body.checkedOutTo, null);
    });

    test('an incident is opened for a device and its person', async () => {
      await call('/devices', { assetTag: 'LT-0004' });
      const r = await call('/incidents', { assetTag: 'LT-0004', localId: '004411', type: 'damage', description: 'Cracked screen' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(typeof r.body.id, 'number');
      const got = await call(`/incidents/${String(r.body.id)}`);
      assert.equal(got.status, 200);
      assert.equal(got.body.status, 'open');
      assert.equal(got.body.localId, '004411');
      const bad = await call('/incidents', { assetTag: 'LT-0004', localId: '004411', type: 'meteor' });
      assert.equal(bad.status, 400);
      const nobody = await call('/incidents', { assetTag: 'LT-0004', localId: '777', type: 'loss' });
      assert.equal(nobody.status, 404);
    });

    test('another district sees none of it: its asset tags and incidents are 404', async () => {
      await call('/devices', { assetTag: 'LT-0005' });
      const inc = await call('/incidents', { assetTag: 'LT-0005', localId: '004410', type: 'other', description: '' });
      assert.equal((await call('/devices/LT-0005', undefined, otherToken)).status, 404);
      assert.equal((await call('/checkouts', { assetTag: 'LT-0005', localId: '004410' }, otherToken)).status, 404);
      assert.equal((await call('/checkins', { assetTag: 'LT-0005' }, otherToken)).status, 404);
      assert.equal((await call(`/incidents/${String(inc.body.id)}`, undefined, otherToken)).status, 404);
      // The same tag may exist in both districts without meeting.
      assert.equal((await call('/devices', { assetTag: 'LT-0005' }, otherToken)).status, 201);
    });

    test('without a token nothing is changed', async () => {
      const res = await fetch(server.url('/api/v1/checkouts'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ assetTag: 'LT-0001', localId: '004410' }) });
      assert.equal(res.status, 401);
      assert.equal((await call('/devices/LT-0001')).body.checkedOutTo, null);
    });
  });
}
