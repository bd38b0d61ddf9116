import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openssh, type ClientLogin } from '../helpers/clients.js';
import { DIALECTS } from '../helpers/databases.js';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';

const PASSWORD = 'correct horse battery staple';

for (const dialect of DIALECTS) {
  describe(`password guessing is stopped (${dialect})`, () => {
    let ws: Workspace;
    let server: RunningLanyard;

    const canList = async (username: string, password: string) => {
      const login: ClientLogin = { port: server.sftpPort, username, password, hostKeys: [] };
      return (await openssh.run(login, [{ op: 'ls', path: '/' }])).ok;
    };

    before(async () => {
      ws = await Workspace.create(dialect);
      await ws.district('springfield', PASSWORD);
      await ws.district('shelbyville', PASSWORD);
      server = await ws.start([], { LANYARD_LOGIN_FAILURES_PER_ACCOUNT: '3', LANYARD_LOGIN_FAILURES_PER_ADDRESS: '4', LANYARD_LOGIN_LOCKOUT: '900' });
    });
    after(async () => {
      await server?.stop();
      await ws?.dispose();
    });

    test('after 3 wrong passwords the account refuses even the right one, while other districts still get in', async () => {
      for (let i = 0; i < 3; i++) assert.equal(await canList('springfield', `guess ${i}`), false);
      assert.equal(await canList('springfield', PASSWORD), false, 'the right password is refused while locked');
      assert.equal(await canList('shelbyville', PASSWORD), true, 'another district from the same address still gets in');
    });

    test('after 4 failures from one address, every account is refused from there, even after a restart', async () => {
      // Three failures so far from 127.0.0.1; a guessed username makes the fourth.
      assert.equal(await canList('nosuchdistrict', 'guess'), false);
      assert.equal(await canList('shelbyville', PASSWORD), false, 'the address is locked out');
      await server.stop();
      server = await ws.start([], { LANYARD_LOGIN_FAILURES_PER_ACCOUNT: '3', LANYARD_LOGIN_FAILURES_PER_ADDRESS: '4', LANYARD_LOGIN_LOCKOUT: '900' });
      assert.equal(await canList('shelbyville', PASSWORD), false, 'the lockout is kept in the database');
    });
  });
}
