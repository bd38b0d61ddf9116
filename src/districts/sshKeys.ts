import { createHash } from 'node:crypto';
import type { ParsedKey } from 'ssh2';
import { utils } from '../shared/ssh2.js';
import { LanyardError } from '../shared/errors.js';

export interface PublicKeyInfo {
  algorithm: string;
  /** SSH wire format, base64. */
  publicKey: string;
  fingerprint: string;
  comment: string;
}

const ACCEPTED = new Set(['ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521']);

/** Reads one OpenSSH public key line (`ssh-ed25519 AAAA… comment`), as in id_ed25519.pub. */
export function parsePublicKey(text: string): PublicKeyInfo {
  const line = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l && !l.startsWith('#'));
  if (!line) throw new LanyardError('invalid', 'That key file is empty: give the .pub file (for example id_ed25519.pub), not the private key.');
  if (line.includes('PRIVATE KEY')) {
    throw new LanyardError('invalid', 'That is a private key: never share it. Give the matching .pub file instead (for example id_ed25519.pub).');
  }
  const parsed = utils.parseKey(line);
  if (parsed instanceof Error || Array.isArray(parsed)) {
    throw new LanyardError('invalid', `That is not an OpenSSH public key (${parsed instanceof Error ? parsed.message : 'several keys'}): it should look like "ssh-ed25519 AAAA… name".`);
  }
  if (parsed.isPrivateKey()) {
    throw new LanyardError('invalid', 'That is a private key: never share it. Give the matching .pub file instead (for example id_ed25519.pub).');
  }
  if (!ACCEPTED.has(parsed.type)) {
    throw new LanyardError('unsupported', `Keys of type ${parsed.type} are not accepted: use an ed25519, ECDSA or RSA key.`);
  }
  const wire = parsed.getPublicSSH();
  if (parsed.type === 'ssh-rsa' && rsaBits(wire) < 2048) {
    throw new LanyardError('invalid', 'That RSA key is too short to be safe: make a new one with "ssh-keygen -t ed25519".');
  }
  return {
    algorithm: parsed.type,
    publicKey: wire.toString('base64'),
    fingerprint: sha256Fingerprint(wire),
    comment: line.split(/\s+/).slice(2).join(' '),
  };
}

export function sha256Fingerprint(wire: Buffer): string {
  return `SHA256:${createHash('sha256').update(wire).digest('base64').replace(/=+$/, '')}`;
}

export function md5Fingerprint(wire: Buffer): string {
  return `MD5:${createHash('md5').update(wire).digest('hex').match(/../g)!.join(':')}`;
}

export function parseWireKey(base64: string): ParsedKey {
  const k = utils.parseKey(Buffer.from(base64, 'base64'));
  if (k instanceof Error || Array.isArray(k)) throw new Error('stored public key is unreadable');
  return k;
}

/** The modulus length of an ssh-rsa wire key: string type, mpint e, mpint n. */
function rsaBits(wire: Buffer): number {
  let p = 0;
  const next = () => {
    const len = wire.readUInt32BE(p);
    const v = wire.subarray(p + 4, p + 4 + len);
    p += 4 + len;
    return v;
  };
  next();
  next();
  const n = next();
  const lead = n[0] === 0 ? n.subarray(1) : n;
  return lead.length * 8 - Math.clz32(lead[0] ?? 0) + 24;
}
