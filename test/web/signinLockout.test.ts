import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';

const EMAIL = 'edna@springfield.k12.us';
const RIGHT = 'apple-polish-42';

interface Answer {
  status: number;
  body: string;
  cookie: string;
}

/** A request from a chosen loopback source address (fetch cannot choose one). */
function request(server: RunningLanyard, from: string, method: 'GET' | 'POST', path: string, opts: { form?: Record<string, string>; cookie?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = opts.form ? new URLSearchParams(opts.form).toString() : undefined;
    const headers: http.OutgoingHttpHeaders = { ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...(opts.cookie ? { cookie: opts.cookie } : {}) };
    const req = http.request({ host: '127.0.0.1', port: server.httpPort, path, method, localAddress: from, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, cookie: (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const signIn = (server: RunningLanyard, from: string, password: string) => request(server, from, 'POST', '/login', { form: { email: EMAIL, password } });

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

    test('a browser left signed in cannot be used to guess: wrong current passwords on Change my password count like sign-ins', async () => {
      const session = await signIn(server, '127.0.0.5', RIGHT);
      assert.equal(session.status, 303);
      const form = await request(server, '127.0.0.5', 'GET', '/account/password', { cookie: session.cookie });
      const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1];
      assert.ok(csrf, 'the form carries its token');
      for (let i = 0; i < 3; i++) {
        const change = await request(server, '127.0.0.5', 'POST', '/account/password', {
          cookie: session.cookie,
          form: { _csrf: csrf, current: `guess-${i}`, next: 'trombone-22-x', repeat: 'trombone-22-x' },
        });
        assert.equal(change.status, 400);
        assert.match(change.body, /Your current password is not right/);
      }
      assert.equal((await signIn(server, '127.0.0.5', RIGHT)).status, 401, 'the guesses locked that address');
      assert.equal((await signIn(server, '127.0.0.6', RIGHT)).status, 303, 'and only that address');
    });
  });
}
