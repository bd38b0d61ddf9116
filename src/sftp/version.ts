import type { SFTPWrapper } from 'ssh2';

/** One extension in the VERSION reply: name and its data (OpenSSH's are a version string, "1" or "2"). */
export interface AdvertisedExtension {
  name: string;
  data: string;
}

/** What this wrapper needs from ssh2's server-side SFTP stream (ssh2 1.x, lib/protocol/SFTP.js). */
interface StreamInternals {
  server: boolean;
  _version: number;
  _extensions: Record<string, string>;
  outgoing: { id: number; state: string; window: number; packetSize: number };
  _protocol: { channelData(id: number, data: Buffer): void; channelExtData?: (id: number, data: Buffer, type: number) => void };
  _buffer: Buffer[];
  _waitWindow: boolean;
  _chunkcb: (() => void) | undefined;
  push(data: Buffer | null): void;
}

const SSH_FXP_INIT = 1;
const SSH_FXP_VERSION = 2;
/** ssh2 refuses an INIT longer than this; so do we, before reading it. */
const MAX_INIT_BYTES = 64 * 1024;

/**
 * ssh2's server answers the client's INIT with a fixed VERSION packet that
 * names no extensions, and has no hook to change it, so clients never learn
 * about limits@openssh.com (bigger writes), fsync@openssh.com (`put -f`) or
 * statvfs@openssh.com (`df`). We answer INIT ourselves instead: this takes the
 * stream's incoming bytes until the INIT packet is whole, sends our VERSION,
 * sets the state ssh2's own INIT handler would have set, and hands every later
 * byte to ssh2 unchanged. A small wrapper over the one place ssh2 is fixed,
 * rather than a patch of its file: it checks the shape of what it wraps first
 * and reports false (ssh2's plain VERSION then goes out) if an upgrade changed
 * it; test/sftp/extensions.test.ts fails loudly in that case.
 */
export function advertiseExtensions(sftp: SFTPWrapper, extensions: readonly AdvertisedExtension[]): boolean {
  const s = sftp as unknown as StreamInternals;
  if (!s.server || s._version !== -1 || typeof s.push !== 'function' || typeof s._protocol?.channelData !== 'function' || typeof s.outgoing?.id !== 'number' || !Array.isArray(s._buffer)) {
    return false;
  }
  const push = s.push.bind(s);
  let held: Buffer = Buffer.alloc(0);
  s.push = (data: Buffer | null) => {
    if (data === null || s._version !== -1) return push(data);
    held = held.length === 0 ? data : Buffer.concat([held, data]);
    if (held.length < 4) return;
    const length = held.readUInt32BE(0);
    // Anything odd (not INIT, too long) goes to ssh2, which ends the stream with its own error.
    if (length === 0 || length > MAX_INIT_BYTES || (held.length > 4 && held[4] !== SSH_FXP_INIT)) {
      s.push = push;
      return push(held);
    }
    if (held.length < 4 + length) return;
    const whole = held;
    held = Buffer.alloc(0);
    s.push = push;
    const parsed = parseInit(whole.subarray(4, 4 + length));
    // A malformed INIT: ssh2 ends the stream with its own error.
    if (!parsed) return push(whole);
    const rest = whole.subarray(4 + length);
    s._version = parsed.version;
    s._extensions = parsed.extensions;
    sendPacket(sftp, versionPacket(extensions));
    sftp.emit('ready');
    if (rest.length > 0) push(rest);
  };
  return true;
}

function parseInit(payload: Buffer): { version: number; extensions: Record<string, string> } | undefined {
  if (payload.length < 5) return undefined;
  const version = payload.readUInt32BE(1);
  const extensions: Record<string, string> = {};
  let p = 5;
  while (p < payload.length) {
    const name = readString(payload, p);
    if (!name) return undefined;
    const data = readString(payload, name.next);
    if (!data) return undefined;
    extensions[name.value] = data.value;
    p = data.next;
  }
  return { version, extensions };
}

function readString(buf: Buffer, at: number): { value: string; next: number } | undefined {
  if (at + 4 > buf.length) return undefined;
  const len = buf.readUInt32BE(at);
  if (at + 4 + len > buf.length) return undefined;
  return { value: buf.toString('utf8', at + 4, at + 4 + len), next: at + 4 + len };
}

/** SSH_FXP_VERSION, version 3, then each extension as two strings. */
export function versionPacket(extensions: readonly AdvertisedExtension[]): Buffer {
  const parts: Buffer[] = [Buffer.from([SSH_FXP_VERSION, 0, 0, 0, 3])];
  for (const e of extensions) parts.push(sshString(e.name), sshString(e.data));
  const body = Buffer.concat(parts);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

export function sshString(value: string | Buffer): Buffer {
  const data = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  return Buffer.concat([len, data]);
}

/**
 * Sends a packet ssh2 has no method for (VERSION with extensions,
 * EXTENDED_REPLY) the way ssh2 sends its own: as much as the client's window
 * allows now, the rest queued in ssh2's own buffer, which its window-adjust
 * handling drains in order.
 */
export function sendPacket(sftp: SFTPWrapper, packet: Buffer): void {
  const s = sftp as unknown as StreamInternals;
  if (s.outgoing.state !== 'open') return;
  if (s._buffer.length > 0) {
    // Answers are already waiting for window: ours goes after them.
    s._buffer.push(packet);
    return;
  }
  const rest = writeWithinWindow(s, packet);
  if (rest) {
    s._buffer.push(rest);
    s._waitWindow = true;
    s._chunkcb ??= () => drain(s);
  }
}

function writeWithinWindow(s: StreamInternals, packet: Buffer): Buffer | undefined {
  const out = s.outgoing;
  let p = 0;
  while (p < packet.length && out.window > 0) {
    const n = Math.min(packet.length - p, out.window, out.packetSize);
    out.window -= n;
    s._protocol.channelData(out.id, packet.subarray(p, p + n));
    p += n;
  }
  return p < packet.length ? packet.subarray(p) : undefined;
}

function drain(s: StreamInternals) {
  s._chunkcb = undefined;
  while (s._buffer.length > 0) {
    const rest = writeWithinWindow(s, s._buffer[0]!);
    if (rest) {
      s._buffer[0] = rest;
      s._waitWindow = true;
      s._chunkcb = () => drain(s);
      return;
    }
    s._buffer.shift();
  }
}

/** SSH_EXTENDED_DATA_STDERR. */
const STDERR = 1;

/**
 * Writes a line to the channel's stderr, which OpenSSH's sftp and PuTTY's
 * psftp print to the user's terminal as it comes. Both show only their own
 * word for an SFTP status ("Failure"), never the server's sentence, so for a
 * refusal a person must act on (a full quota) the sentence goes here too.
 * Best effort: skipped (false) when the client's window has no room for it,
 * since the status answer is what the protocol needs.
 */
export function tellUser(sftp: SFTPWrapper, line: string): boolean {
  const s = sftp as unknown as StreamInternals;
  const out = s.outgoing;
  const data = Buffer.from(`${line}\n`, 'utf8');
  if (typeof s._protocol?.channelExtData !== 'function' || out?.state !== 'open' || out.window < data.length || out.packetSize < data.length) return false;
  out.window -= data.length;
  s._protocol.channelExtData(out.id, data, STDERR);
  return true;
}
