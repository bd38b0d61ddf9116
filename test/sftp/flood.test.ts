import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Workspace, type RunningLanyard } from '../helpers/lanyard.js';
import { opensshSftp } from '../helpers/openssh.js';

const PASSWORD = 'correct horse battery staple';

/** A raw TCP connection from `from` that reads the server's banner and then sits there, never logging in. */
function idle(port: number, from: string): Promise<{ socket: net.Socket; banner: string }> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: from });
    let banner = '';
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => {
      banner += d.toString('latin1');
      if (banner.includes('\n')) resolve({ socket, banner });
    });
    socket.once('close', () => resolve({ socket, banner }));
  });
}

/**
 * Strangers holding connections open without logging in (each for the whole
 * login grace time) must not keep districts out: 10 per address and 200 in
 * all are let wait, more are closed at once, and once the total is full a
 * newcomer from a quiet address takes the place of the busiest address's oldest.
 */
describe('a flood of connections that never log in', () => {
  let ws: Workspace;
  let server: RunningLanyard;
  const sockets: net.Socket[] = [];

  const canLogIn = async (from: string) => {
    const r = await opensshSftp({ port: server.sftpPort, username: 'springfield', password: PASSWORD, bindAddress: from }, ['ls /']);
    return r.code === 0 && /idphotos/.test(r.stdout);
  };

  before(async () => {
    ws = await Workspace.create('sqlite');
    await ws.district('springfield', PASSWORD);
    server = await ws.start(['--intake', 'off'], { LANYARD_UNAUTHENTICATED_TOTAL: '25' });
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await server?.stop();
    await ws?.dispose();
  });

  test('from one address: ten wait, the eleventh is closed before a byte, and another address still logs in', async () => {
    const flood = await Promise.all(Array.from({ length: 30 }, () => idle(server.sftpPort, '127.0.0.1')));
    for (const f of flood) sockets.push(f.socket);
    const greeted = flood.filter((f) => f.banner.startsWith('SSH-2.0-Lanyard'));
    const refused = flood.filter((f) => f.banner === '' && f.socket.destroyed);
    assert.equal(greeted.length, 10);
    assert.equal(refused.length, 20);
    assert.equal(await canLogIn('127.0.0.2'), true);
  });

  test('from several addresses filling the total: a newcomer from a quiet address takes the place of the busiest address\'s oldest', async () => {
    const oldest = sockets[0]!;
    // 10 are still waiting from 127.0.0.1; 10 more from .3 and 5 from .4 fill the 25.
    const more = await Promise.all([
      ...Array.from({ length: 10 }, () => idle(server.sftpPort, '127.0.0.3')),
      ...Array.from({ length: 5 }, () => idle(server.sftpPort, '127.0.0.4')),
    ]);
    for (const f of more) sockets.push(f.socket);
    assert.ok(more.every((f) => f.banner.startsWith('SSH-2.0-Lanyard')), 'all 25 places taken');
    assert.equal(oldest.destroyed, false);

    assert.equal(await canLogIn('127.0.0.5'), true, 'a quiet address gets a place');
    for (let i = 0; i < 50 && !oldest.destroyed; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(oldest.destroyed, true, 'the oldest waiting connection of the busiest address made room');
    assert.equal(sockets.filter((s) => !s.destroyed).length, 24, 'and only that one');
  });
});
