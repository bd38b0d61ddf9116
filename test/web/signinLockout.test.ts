import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';

const EMAIL = 'edna@springfield.k12.us';
const RIGHT = 'apple-polish-42';

/** A sign-in POST from a chosen loopback source address (fetch cannot choose one). */
function signIn(server: RunningLanyard, from: string, password: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const body = new URLSearchParams({ email: EMAIL, password }).toString();
    const req = http.request(
      { host: '127.0.0.1', port: server.httpPort, path: '/login', method: 'POST', localAddress: from, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

for (const dialect of DIALECTS) {
  describe(`web sign-in lockouts are by source address, never by account (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;

    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('springfield');
      const r = await ws.cli(['staff', 'create', 'springfield', '--email', EMAIL, '--password', RIGHT, '--role', 'technician']);
      assert.equal(r.code, 0, r.stderr);
      server = await ws.start([], { LANYARD_LOGIN_FAILURES_PER_ADDRESS: '3' });
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
    });

    test('a guesser locks out only their own address, which then reads like a wrong password; the technician signs in from elsewhere', async () => {
      for (let i = 0; i < 3; i++) assert.equal((await signIn(server, '127.0.0.3', `guess-${i}`)).status, 401);
      const locked = await signIn(server, '127.0.0.3', RIGHT);
      assert.equal(locked.status, 401, 'the locked address is refused even with the right password');
      assert.match(locked.body, /That email and password do not match\. Check both and try again\./, 'and told exactly what a wrong password is told');
      assert.equal((await signIn(server, '127.0.0.4', RIGHT)).status, 303, 'from another address the right password signs in');
    });
  });
}
