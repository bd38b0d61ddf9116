import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { WebClient } from '../helpers/webClient.js';

const ADMIN = { email: 'skinner@springfield.k12.us', password: 'superintendent-1' };

/** Two nodes on one PostgreSQL, as behind a load balancer that sends the redirect's GET to the other node. */
describe('a form\'s result after its redirect, across two nodes (postgres)', () => {
  let ws: Workspace;
  let tmp: string;
  const nodes: RunningLanyard[] = [];

  before(async () => {
    ws = await Workspace.create('postgres');
    await ws.district('springfield');
    const r = await ws.cli(['staff', 'create', 'springfield', '--email', ADMIN.email, '--password', ADMIN.password, '--role', 'admin']);
    assert.equal(r.code, 0, r.stderr);
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'flash-nodes-'));
    for (const name of ['a', 'b']) {
      const dataDir = path.join(tmp, name);
      await fs.mkdir(dataDir);
      // The second --data-dir wins: each node has a folder of its own, as on separate machines.
      nodes.push(await ws.start(['--data-dir', dataDir, '--intake', 'off']));
    }
  });
  after(async () => {
    for (const n of nodes) await n.stop();
    await ws?.dispose();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  test('a token made on one node is shown once on the other, and never again on either', async () => {
    const [a, b] = nodes as [RunningLanyard, RunningLanyard];
    const onA = new WebClient(a);
    await onA.signIn(ADMIN.email, ADMIN.password);
    await onA.page('/settings');
    const onB = new WebClient(b);
    onB.cookies = new Map(onA.cookies);

    const made = await onA.form('/settings/api-tokens', { label: 'Help desk sync' });
    assert.equal(made.status, 303);
    const location = made.headers.get('location')!;
    assert.match(location, /^\/settings\?flash=/);

    const shown = await onB.page(location);
    const token = /<code class="big"[^>]*>(lny_[^<]+)<\/code>/.exec(shown.html)?.[1];
    assert.ok(token, 'the other node shows the token');
    assert.match(shown.html, /API token \d+ made\./);
    for (const n of [onA, onB]) assert.ok(!(await n.page(location)).html.includes(token), 'read once, on whichever node');

    const stranger = new WebClient(b);
    await stranger.signIn(ADMIN.email, ADMIN.password);
    const again = await onA.form('/settings/api-tokens', { label: 'Second' });
    const secondAt = again.headers.get('location')!;
    assert.doesNotMatch((await stranger.page(secondAt)).html, /<code class="big"[^>]*>lny_/, 'another session, even of the same person, reads nothing');
    assert.match((await onB.page(secondAt)).html, /<code class="big"[^>]*>lny_/, 'and did not use it up');
  });
});
