import type { ParsedKey } from 'ssh2';
import { utils } from '../shared/ssh2.js';
import type { Db } from '../db/db.js';
import { md5Fingerprint, sha256Fingerprint } from '../districts/sshKeys.js';
import { LanyardError } from '../shared/errors.js';
import { nowIso } from '../shared/time.js';

export interface HostKey {
  type: string;
  /** The private key in OpenSSH format, for the SSH server. */
  privateKey: string;
  sha256: string;
  md5: string;
}

/** Ed25519 for modern clients; RSA 3072 because districts were promised an RSA fingerprint too. */
const WANTED = [
  { type: 'ssh-ed25519', generate: () => utils.generateKeyPairSync('ed25519') },
  { type: 'ssh-rsa', generate: () => utils.generateKeyPairSync('rsa', { bits: 3072 }) },
] as const;

/**
 * Loads the host keys, making any that were never made. They live in the
 * database so every node of a deployment presents the same fingerprint, and
 * survive moving the server. A key that exists but cannot be read stops
 * everything: silently making a new one would look like an attack to every
 * district.
 */
export async function loadHostKeys(db: Db): Promise<HostKey[]> {
  const keys: HostKey[] = [];
  for (const want of WANTED) {
    let row = await db.kysely.selectFrom('host_keys').selectAll().where('key_type', '=', want.type).executeTakeFirst();
    if (!row) {
      const pair = generateReadable(want.generate);
      // Another node may be doing the same right now: the first one wins and both use it.
      await db.kysely
        .insertInto('host_keys')
        .values({ key_type: want.type, private_key: pair.private, created_at: nowIso() })
        .onConflict((oc) => oc.column('key_type').doNothing())
        .execute();
      row = await db.kysely.selectFrom('host_keys').selectAll().where('key_type', '=', want.type).executeTakeFirstOrThrow();
    }
    keys.push(describe(want.type, row.private_key, db.description));
  }
  return keys;
}

/**
 * ssh2's generator drops a leading zero byte of an Ed25519 public key (about
 * one key in 256), writing a key its own parser then refuses. Such a key must
 * never be stored: it would stop the server for good. Drawing again is safe
 * because nothing has seen this key yet.
 */
function generateReadable(generate: () => { private: string }): { private: string } {
  for (let i = 0; i < 20; i++) {
    const pair = generate();
    const parsed = utils.parseKey(pair.private);
    if (!(parsed instanceof Error) && !Array.isArray(parsed)) return pair;
  }
  throw new LanyardError('unavailable', 'Lanyard could not make a usable host key. Check that Node.js and its crypto library are intact, then start again.');
}

function describe(type: string, privateKey: string, where: string): HostKey {
  const parsed = utils.parseKey(privateKey);
  if (parsed instanceof Error || Array.isArray(parsed) || !parsed.isPrivateKey() || parsed.type !== type) {
    throw new LanyardError(
      'unavailable',
      `The server's ${type} host key stored in ${where} cannot be read${parsed instanceof Error ? ` (${parsed.message})` : ''}. ` +
        'Lanyard will not make a new one, because every district would see a changed fingerprint and must treat that as an attack. ' +
        'Restore the database (or its host_keys table) from a backup.',
    );
  }
  return { type, privateKey, ...fingerprints(parsed) };
}

export function fingerprints(key: ParsedKey) {
  const wire = key.getPublicSSH();
  return { sha256: sha256Fingerprint(wire), md5: md5Fingerprint(wire) };
}

export const publicView = (keys: HostKey[]) => keys.map(({ type, sha256, md5 }) => ({ type, sha256, md5 }));
