import net from 'node:net';
import { V1ProxyProtocol, V2ProxyProtocol, Command, IPv4ProxyAddress, IPv6ProxyAddress } from 'proxy-protocol-js';

/**
 * The PROXY protocol (v1 text, v2 binary) that HAProxy puts before the SSH
 * bytes of every connection it forwards, saying who the client really is.
 * Without it every district's connection would come from HAProxy's address,
 * and one guesser's lockout would lock out everyone behind the same proxy.
 * proxy-protocol-js parses a header; this finds where the header ends on the
 * socket and gives the bytes after it back to the socket for SSH.
 */

export interface ProxiedPeer {
  address: string;
  port: number;
}

export class ProxyHeaderError extends Error {
  override name = 'ProxyHeaderError';
}

const V1_PREFIX = Buffer.from('PROXY ');
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
/** The spec's limit for a v1 line, CRLF included. */
const V1_MAX = 107;
/** v2 addresses plus a few TLVs; HAProxy sends far less unless told to add many. */
const V2_MAX = 16 + 2048;

/** Which addresses may speak for others: only the proxies an operator named (`--trusted-proxies`). */
export function trustedProxies(list: readonly string[]): net.BlockList {
  const block = new net.BlockList();
  for (const entry of list) {
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const family = net.isIPv6(address) ? 'ipv6' : 'ipv4';
    if (bits === undefined) block.addAddress(address, family);
    else block.addSubnet(address, Number(bits), family);
  }
  return block;
}

export function isTrusted(block: net.BlockList, address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
  return block.check(plain, net.isIPv6(plain) ? 'ipv6' : 'ipv4');
}

/**
 * Reads one PROXY header from the start of `socket`. Resolves to the client's
 * address, or to null for a LOCAL command (HAProxy's own health check, which
 * speaks for nobody). Anything else, or nothing within `timeoutMs`, rejects:
 * the caller closes the connection, since a trusted proxy always sends one.
 */
export function readProxyHeader(socket: net.Socket, timeoutMs = 5000): Promise<ProxiedPeer | null> {
  return new Promise((resolve, reject) => {
    let got: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new ProxyHeaderError(`no PROXY header within ${timeoutMs} ms`)), timeoutMs);

    function finish(result: Error | { peer: ProxiedPeer | null; rest: Buffer }) {
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.removeListener('end', onEnd);
      socket.pause();
      if (result instanceof Error) return reject(result);
      if (result.rest.length > 0) socket.unshift(result.rest);
      resolve(result.peer);
    }
    function onEnd() {
      finish(new ProxyHeaderError('the connection closed before its PROXY header ended'));
    }
    function onData(chunk: Buffer) {
      got = got.length === 0 ? chunk : Buffer.concat([got, chunk]);
      try {
        const parsed = parse(got);
        if (parsed) finish(parsed);
      } catch (err) {
        finish(err instanceof Error ? err : new ProxyHeaderError(String(err)));
      }
    }
    socket.on('data', onData);
    socket.once('end', onEnd);
  });
}

/** A complete header and what follows it, or undefined while more bytes are needed. */
function parse(buf: Buffer): { peer: ProxiedPeer | null; rest: Buffer } | undefined {
  const starts = (sig: Buffer) => buf.subarray(0, sig.length).equals(sig.subarray(0, Math.min(sig.length, buf.length)));
  if (starts(V2_SIGNATURE)) {
    if (buf.length < 16) return undefined;
    const length = 16 + buf.readUInt16BE(14);
    if (length > V2_MAX) throw new ProxyHeaderError(`a PROXY v2 header of ${length} bytes is longer than ${V2_MAX}`);
    if (buf.length < length) return undefined;
    return { peer: fromV2(buf.subarray(0, length)), rest: buf.subarray(length) };
  }
  if (starts(V1_PREFIX)) {
    const end = buf.indexOf('\r\n');
    if (end < 0) {
      if (buf.length >= V1_MAX) throw new ProxyHeaderError('a PROXY v1 line longer than 107 bytes');
      return undefined;
    }
    const line = buf.subarray(0, end + 2).toString('latin1');
    return { peer: fromV1(line), rest: buf.subarray(end + 2) };
  }
  throw new ProxyHeaderError('the connection did not begin with a PROXY protocol header');
}

function fromV1(line: string): ProxiedPeer | null {
  if (line.startsWith('PROXY UNKNOWN')) return null;
  let proto: V1ProxyProtocol;
  try {
    proto = V1ProxyProtocol.parse(line);
  } catch (err) {
    throw new ProxyHeaderError(`a malformed PROXY v1 line: ${(err as { message?: string }).message ?? String(err)}`);
  }
  const address = proto.source.ipAddress;
  if (!net.isIP(address)) throw new ProxyHeaderError(`a PROXY v1 source address that is not an IP address: ${address}`);
  return { address, port: proto.source.port };
}

function fromV2(header: Buffer): ProxiedPeer | null {
  let proto: V2ProxyProtocol;
  try {
    proto = V2ProxyProtocol.parse(new Uint8Array(header));
  } catch (err) {
    throw new ProxyHeaderError(`a malformed PROXY v2 header: ${(err as { message?: string }).message ?? String(err)}`);
  }
  if (proto.command === Command.LOCAL) return null;
  const a = proto.proxyAddress;
  if (a instanceof IPv4ProxyAddress) return { address: a.sourceAddress.address.join('.'), port: a.sourcePort };
  if (a instanceof IPv6ProxyAddress) return { address: ipv6(a.sourceAddress.address), port: a.sourcePort };
  // UNSPEC or a Unix socket: the proxy itself does not know; treat like LOCAL.
  return null;
}

/** Sixteen bytes as the short text form (`2001:db8::1`), which is how node names addresses. */
function ipv6(bytes: readonly number[]): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] as number) << 8) | (bytes[i + 1] as number)).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}
