import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { WebClient } from '../helpers/webClient.js';

interface DemoJson {
  slug: string;
  signIn: { email: string; password: string };
  people: number;
  photos: number;
  devices: number;
  checkouts: number;
  incidents: number;
}

for (const dialect of DIALECTS) {
  describe(`lanyard demo (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard | undefined;

    before(async () => {
      ws = await Workspace.create(dialect);
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
    });

    test('fills a fresh data folder with a district a newcomer can sign in to and look around', async () => {
      const demo = await ws.cliJson<DemoJson>(['demo']);
      assert.equal(demo.slug, 'demo');
      assert.deepEqual([demo.people, demo.photos, demo.devices, demo.checkouts, demo.incidents], [27, 24, 12, 7, 1]);

      server = await ws.start();
      const b = new WebClient(server);
      await b.signIn(demo.signIn.email, demo.signIn.password);
      const people = await b.page('/people');
      assert.match(people.html, /27 people/);
      assert.match(people.html, /<img class="face face-thumb" src="\/api\/v1\/photos\/[^"]+" alt="Maya Okafor"/, 'the demo portraits went through the photo intake');
      const devices = await b.page('/devices');
      assert.equal((devices.html.match(/>Checked out</g) ?? []).length, 7);
      const incidents = await b.page('/incidents');
      assert.match(incidents.html, /1 incident/);
    });

    test('refuses to add a second demo to the same data folder', async () => {
      const r = await ws.cli(['demo']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /already has the demo district/);
    });
  });
}
