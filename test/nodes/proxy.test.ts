import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openDb } from '../../src/db/db.js';
import { FIXTURES, Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { startHaproxy, type RunningHaproxy } from '../helpers/haproxy.js';
import { opensshSftp } from '../helpers/openssh.js';

const PASSWORD = 'correct horse battery staple';

/**
 * Lanyard behind the HAProxy configuration the repository ships, which sends
 * the PROXY protocol (v2) on SFTP: the node sees each district's own address,
 * so lockouts and the audit log are about the district, not about HAProxy.
 * Clients here come from other loopback addresses (OpenSSH's BindAddress).
 */
describe('SFTP through HAProxy with the PROXY protocol', () => {
  let ws: Workspace;
  let server: RunningLanyard;
  let haproxy: RunningHaproxy;
  let dir: string;

  before(async () => {
    ws = await Workspace.create('sqlite');
    await ws.district('springfield', PASSWORD);
    server = await ws.start(['--trusted-proxies', '127.0.0.1'], { LANYARD_LOGIN_FAILURES_PER_ADDRESS: '2' });
    // One node behind both of the configuration's server lines.
    haproxy = await startHaproxy([server, server]);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'proxy-'));
  });
  after(async () => {
    await haproxy?.stop();
    await server?.stop();
    await ws?.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const through = (from: string, password: string, commands: string[]) =>
    opensshSftp({ port: haproxy.sftpPort, username: 'springfield', password, bindAddress: from }, commands);

  test("an upload through HAProxy is recorded with the district's own address", async () => {
    const r = await through('127.0.0.5', PASSWORD, [`put ${path.join(FIXTURES, 'photos/valid/004410.jpg')} idphotos/004410.jpg`]);
    assert.equal(r.code, 0, r.output);
    const db = await openDb({ dataDir: ws.dataDir, databaseUrl: ws.databaseUrl });
    try {
      const logins = await db.kysely.selectFrom('audit_log').select(['action', 'address']).where('action', 'in', ['sftp.login', 'dropbox.upload']).execute();
      assert.ok(logins.length >= 2, JSON.stringify(logins));
      for (const l of logins) assert.equal(l.address, '127.0.0.5', `${l.action} names the client, not HAProxy`);
    } finally {
      await db.close();
    }
  });

  test("a guesser behind HAProxy locks out only their own address: the district still logs in through the same HAProxy", async () => {
    for (let i = 0; i < 2; i++) assert.notEqual((await through('127.0.0.6', `wrong-${i}`, ['ls'])).code, 0);
    assert.notEqual((await through('127.0.0.6', PASSWORD, ['ls'])).code, 0, 'the guesser\'s address is locked');
    const district = await through('127.0.0.5', PASSWORD, ['ls idphotos']);
    assert.equal(district.code, 0, district.output);
    assert.match(district.output, /004410\.jpg/);
  });

  test('a client that is not a trusted proxy is served directly, and cannot claim another address with a PROXY header of its own', async () => {
    const direct = await opensshSftp({ port: server.sftpPort, username: 'springfield', password: PASSWORD, bindAddress: '127.0.0.7' }, ['ls']);
    assert.equal(direct.code, 0, direct.output);
    // From an untrusted address, a PROXY header is not SSH: the connection fails instead of borrowing 127.0.0.5.

    const said = await new Promise<string>((resolve) => {
      const s = net.connect({ port: server.sftpPort, host: '127.0.0.1', localAddress: '127.0.0.8' }, () => s.write('PROXY TCP4 127.0.0.5 127.0.0.1 5000 22\r\n'));
      let got = '';
      s.on('data', (d: Buffer) => (got += d.toString('latin1')));
      s.on('close', () => resolve(got));
      s.on('error', () => resolve(got));
      setTimeout(() => s.destroy(), 3000);
    });
    assert.match(said, /^SSH-2\.0-Lanyard/, 'the server answered as SSH to 127.0.0.8 itself');
  });
});
