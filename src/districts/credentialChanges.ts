import type { Db } from '../db/db.js';

type Listener = (districtId: number, version: number) => void;

/**
 * Who in this process wants to know at once that a district's SFTP
 * credentials changed (the SFTP server, to end the sessions that used them).
 * Keyed by the Db, since that is what every caller (web settings, CLI)
 * already holds, and so that several servers in one process stay apart.
 * Other processes learn it from `districts.sftp_credential_version`.
 */
const listeners = new WeakMap<Db, Set<Listener>>();

export function onSftpCredentialsChanged(db: Db, listener: Listener): () => void {
  let set = listeners.get(db);
  if (!set) listeners.set(db, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

export function sftpCredentialsChanged(db: Db, districtId: number, version: number): void {
  for (const l of listeners.get(db) ?? []) l(districtId, version);
}

/** The current credential version of each of these districts. */
export async function sftpCredentialVersions(db: Db, districtIds: number[]): Promise<Map<number, number>> {
  if (districtIds.length === 0) return new Map();
  const rows = await db.kysely.selectFrom('districts').select(['id', 'sftp_credential_version']).where('id', 'in', districtIds).execute();
  const versions = new Map(rows.map((r) => [Number(r.id), Number(r.sftp_credential_version)]));
  // A district deleted meanwhile (`lanyard district delete`): no version is high enough for its sessions.
  for (const id of districtIds) if (!versions.has(id)) versions.set(id, Number.MAX_SAFE_INTEGER);
  return versions;
}
