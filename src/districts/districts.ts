import { writeAudit, type AuditEntry, type ChangedBy } from '../audit/audit.js';
import { inTransaction, type Db } from '../db/db.js';
import type { DistrictRow, SftpAuthMode } from '../db/schema.js';
import { LanyardError } from '../shared/errors.js';
import { nowIso } from '../shared/time.js';
import { sftpCredentialsChanged } from './credentialChanges.js';
import { checkNewPassword, generatePassword, hashPassword } from './passwords.js';
import { parseSlug, type Slug } from './slug.js';
import { parsePublicKey, type PublicKeyInfo } from './sshKeys.js';

export interface District {
  id: number;
  slug: Slug;
  name: string;
  sftpAuth: SftpAuthMode;
  createdAt: string;
}

export const AUTH_MODES: readonly SftpAuthMode[] = ['password', 'publickey', 'both', 'either'];

const toDistrict = (r: DistrictRow): District => ({
  id: r.id,
  slug: r.slug as Slug,
  name: r.name,
  sftpAuth: r.sftp_auth,
  createdAt: r.created_at,
});

export async function createDistrict(db: Db, input: { slug: string; name: string; password?: string | undefined }) {
  const slug = parseSlug(input.slug);
  const name = input.name.trim();
  if (!name) throw new LanyardError('invalid', 'Give the district a name, for example --name "Springfield Unified".');
  if (input.password !== undefined) checkNewPassword(input.password);
  const password = input.password ?? generatePassword();
  const hash = await hashPassword(password);
  const existing = await findDistrict(db, slug);
  if (existing) throw new LanyardError('conflict', `A district called "${slug}" already exists: choose another short name.`);
  const row = await db.kysely
    .insertInto('districts')
    .values({ slug, name, sftp_password_hash: hash, sftp_auth: 'password', created_at: nowIso() })
    .returningAll()
    .executeTakeFirstOrThrow()
    .catch((err: unknown) => {
      if (isUniqueViolation(err)) throw new LanyardError('conflict', `A district called "${slug}" already exists: choose another short name.`);
      throw err;
    });
  return { district: toDistrict(row), password };
}

export async function findDistrict(db: Db, slug: string): Promise<District | undefined> {
  const row = await db.kysely.selectFrom('districts').selectAll().where('slug', '=', slug).executeTakeFirst();
  return row && toDistrict(row);
}

export async function getDistrict(db: Db, slug: string): Promise<District> {
  const d = await findDistrict(db, slug);
  if (!d) throw new LanyardError('not-found', `There is no district called "${slug}". Check the spelling, or create it with "lanyard district create ${slug} --name …".`);
  return d;
}

export async function getDistrictById(db: Db, id: number): Promise<District> {
  const row = await db.kysely.selectFrom('districts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return toDistrict(row);
}

/** What the SFTP login needs: kept apart from District so the hash never travels further than it must. */
export async function findSftpAccount(db: Db, slug: string) {
  const row = await db.kysely.selectFrom('districts').selectAll().where('slug', '=', slug).executeTakeFirst();
  if (!row) return undefined;
  const keys = await db.kysely.selectFrom('district_keys').select(['algorithm', 'public_key']).where('district_id', '=', row.id).execute();
  return { district: toDistrict(row), passwordHash: row.sftp_password_hash, keys, credentialVersion: Number(row.sftp_credential_version) };
}

/**
 * Records that a district's SFTP credentials changed, in the same
 * transaction as the change itself, and ends the sessions that logged in
 * under the old ones: at once on this node (through credentialChanges),
 * within seconds on the others (they read the version).
 */
async function changeCredentials(
  db: Db,
  districtId: number,
  set: { sftp_password_hash?: string; sftp_auth?: SftpAuthMode },
  audit: AuditEntry,
  alongside?: (t: Db) => Promise<void>,
) {
  const version = await inTransaction(db, async (t) => {
    await alongside?.(t);
    const row = await t.kysely
      .updateTable('districts')
      .set((eb) => ({ ...set, sftp_credential_version: eb('sftp_credential_version', '+', 1) }))
      .where('id', '=', districtId)
      .returning('sftp_credential_version')
      .executeTakeFirstOrThrow();
    await writeAudit(t.kysely, audit);
    return Number(row.sftp_credential_version);
  });
  sftpCredentialsChanged(db, districtId, version);
}

/** A new SFTP password (a strong random one unless given), audited with the change. */
export async function setSftpPassword(db: Db, slug: string, password: string | undefined, by: ChangedBy) {
  const d = await getDistrict(db, slug);
  if (password !== undefined) checkNewPassword(password);
  const pw = password ?? generatePassword();
  await changeCredentials(db, d.id, { sftp_password_hash: await hashPassword(pw) }, { action: 'settings.sftp-password', districtId: d.id, ...by, detail: {} });
  return pw;
}

export async function setSftpAuthMode(db: Db, slug: string, mode: string, by: ChangedBy): Promise<District> {
  if (!AUTH_MODES.includes(mode as SftpAuthMode)) {
    throw new LanyardError('invalid', `"${mode}" is not a login choice: use password, publickey, both (key and password) or either.`);
  }
  const d = await getDistrict(db, slug);
  // The same choice again changes nothing: no live session is ended for it.
  if (mode === d.sftpAuth) return d;
  const needsKey = mode === 'publickey' || mode === 'both';
  await changeCredentials(db, d.id, { sftp_auth: mode as SftpAuthMode }, { action: 'settings.sftp-auth', districtId: d.id, ...by, detail: { mode } }, async (t) => {
    if (needsKey && (await listSshKeys(t, slug)).length === 0) {
      throw new LanyardError(
        'conflict',
        `"${slug}" has no SSH key yet, so requiring one would lock everyone out: add one first with "lanyard district key add ${slug} <file.pub>".`,
      );
    }
  });
  return { ...d, sftpAuth: mode as SftpAuthMode };
}

export async function addSshKey(db: Db, slug: string, keyText: string, by: ChangedBy): Promise<PublicKeyInfo> {
  const d = await getDistrict(db, slug);
  const key = parsePublicKey(keyText);
  await inTransaction(db, async (t) => {
    const dup = await t.kysely
      .selectFrom('district_keys')
      .select('id')
      .where('district_id', '=', d.id)
      .where('fingerprint', '=', key.fingerprint)
      .executeTakeFirst();
    if (dup) throw new LanyardError('conflict', `That key (${key.fingerprint}) is already on "${slug}".`);
    await t.kysely
      .insertInto('district_keys')
      .values({ district_id: d.id, algorithm: key.algorithm, public_key: key.publicKey, fingerprint: key.fingerprint, comment: key.comment, created_at: nowIso() })
      .execute();
    await writeAudit(t.kysely, { action: 'settings.ssh-key-added', districtId: d.id, ...by, detail: { fingerprint: key.fingerprint } });
  });
  return key;
}

export async function listSshKeys(db: Db, slug: string) {
  const d = await getDistrict(db, slug);
  return db.kysely
    .selectFrom('district_keys')
    .select(['algorithm', 'fingerprint', 'comment', 'created_at as createdAt'])
    .where('district_id', '=', d.id)
    .orderBy('id')
    .execute();
}

export async function removeSshKey(db: Db, slug: string, fingerprint: string, by: ChangedBy): Promise<void> {
  const d = await getDistrict(db, slug);
  await changeCredentials(db, d.id, {}, { action: 'settings.ssh-key-removed', districtId: d.id, ...by, detail: { fingerprint } }, async (t) => {
    const res = await t.kysely.deleteFrom('district_keys').where('district_id', '=', d.id).where('fingerprint', '=', fingerprint).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new LanyardError('not-found', `"${slug}" has no key with fingerprint ${fingerprint}.`);
  });
}

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
