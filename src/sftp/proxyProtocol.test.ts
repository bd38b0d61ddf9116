import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Command, INETProtocol, IPv4Address, IPv4ProxyAddress, IPv6Address, IPv6ProxyAddress, Peer, TransportProtocol, V1ProxyProtocol, V2ProxyProtocol } from 'proxy-protocol-js';
import { isTrusted, ProxyHeaderError, readProxyHeader, trustedProxies, type ProxiedPeer } from './proxyProtocol.js';

/** A real loopback connection whose server side reads the header, then everything after it. */
describe('reading the PROXY header HAProxy sends before the SSH bytes', () => {
  let server: net.Server;
  let port = 0;
  const results: Array<(r: { peer: ProxiedPeer | null; after: string } | Error) => void> = [];

  before(async () => {
    server = net.createServer((socket) => {
      const report = results.shift()!;
      readProxyHeader(socket, 500).then(
        (peer) => {
          let after = '';
          socket.resume();
          socket.on('data', (d: Buffer) => (after += d.toString('latin1')));
          socket.on('end', () => report({ peer, after }));
        },
        (err: Error) => {
          socket.destroy();
          report(err);
        },
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  /** Sends `parts` with a pause between each (a header split across packets), then ends. */
  function send(parts: Array<Buffer | string>, end = true) {
    const result = new Promise<{ peer: ProxiedPeer | null; after: string } | Error>((resolve) => results.push(resolve));
    const c = net.connect(port, '127.0.0.1', async () => {
      for (const p of parts) {
        c.write(p);
        await new Promise((r) => setTimeout(r, 10));
      }
      if (end) c.end();
    });
    c.on('error', () => undefined);
    return result;
  }

  test('v1: the client address, and the SSH bytes after it untouched, even when the header arrives in pieces', async () => {
    const header = new V1ProxyProtocol(INETProtocol.TCP4, new Peer('203.0.113.7', 51000), new Peer('10.0.0.1', 22)).build();
    const r = await send([header.slice(0, 9), header.slice(9) + 'SSH-2.0-OpenSSH_9.2\r\n']);
    assert.deepEqual(r, { peer: { address: '203.0.113.7', port: 51000 }, after: 'SSH-2.0-OpenSSH_9.2\r\n' });
  });

  test('v2 over IPv4 and IPv6, and LOCAL (a health check) speaks for nobody', async () => {
    const v4 = new V2ProxyProtocol(
      Command.PROXY,
      TransportProtocol.STREAM,
      new IPv4ProxyAddress(IPv4Address.createFrom([198, 51, 100, 23]), 40000, IPv4Address.createFrom([10, 0, 0, 1]), 22),
    ).build();
    assert.deepEqual(await send([Buffer.from(v4), 'SSH-2.0-x\r\n']), { peer: { address: '198.51.100.23', port: 40000 }, after: 'SSH-2.0-x\r\n' });

    const v6 = new V2ProxyProtocol(
      Command.PROXY,
      TransportProtocol.STREAM,
      new IPv6ProxyAddress(IPv6Address.createFrom([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42]), 40001, IPv6Address.createWithEmptyAddress(), 22),
    ).build();
    assert.deepEqual(await send([Buffer.from(v6).subarray(0, 10), Buffer.from(v6).subarray(10)]), { peer: { address: '2001:db8::42', port: 40001 }, after: '' });

    const local = new V2ProxyProtocol(
      Command.LOCAL,
      TransportProtocol.UNSPEC,
      new IPv4ProxyAddress(IPv4Address.createWithEmptyAddress(), 0, IPv4Address.createWithEmptyAddress(), 0),
    ).build();
    assert.deepEqual(await send([Buffer.from(local)]), { peer: null, after: '' });
  });

  test('a connection that does not start with a header, or never finishes one, is refused', async () => {
    const plain = await send(['SSH-2.0-OpenSSH_9.2\r\n']);
    assert.ok(plain instanceof ProxyHeaderError);
    assert.match(plain.message, /did not begin with a PROXY protocol header/);
    const stalled = await send(['PROXY TCP4 203.0.113.7'], false);
    assert.ok(stalled instanceof ProxyHeaderError);
    assert.match(stalled.message, /no PROXY header within 500 ms/);
    const garbage = await send(['PROXY TCP4 not-an-address 10.0.0.1 1 2\r\n']);
    assert.ok(garbage instanceof ProxyHeaderError);
  });
});

describe('which peers may send a PROXY header', () => {
  test('only the addresses and networks named, IPv4 also when seen as IPv4-mapped IPv6', () => {
    const trusted = trustedProxies(['10.0.0.0/8', '127.0.0.2', '2001:db8::/32']);
    assert.equal(isTrusted(trusted, '10.1.2.3'), true);
    assert.equal(isTrusted(trusted, '::ffff:10.1.2.3'), true);
    assert.equal(isTrusted(trusted, '127.0.0.2'), true);
    assert.equal(isTrusted(trusted, '127.0.0.1'), false);
    assert.equal(isTrusted(trusted, '2001:db8::5'), true);
    assert.equal(isTrusted(trusted, '2001:db9::5'), false);
    assert.equal(isTrusted(trustedProxies([]), '10.1.2.3'), false);
  });
});
