import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { formatBytes } from '../shared/bytes.js';
import { LanyardError } from '../shared/errors.js';

/** The server's quota for a district without its own (--quota-bytes / --quota-files). */
export interface QuotaDefaults {
  bytes: number;
  files: number;
}

export const DEFAULT_QUOTA: QuotaDefaults = { bytes: 100 * 1024 ** 3, files: 1_000_000 };

/** A district's drop box against its quota, as one consistent reading. */
export interface DistrictSpace {
  districtId: number;
  quotaBytes: number;
  quotaFiles: number;
  usedBytes: number;
  usedFiles: number;
  /** Whether the quota is the district's own rather than the server's default. */
  own: { bytes: boolean; files: boolean };
}

/** Reads a district's space; inside a transaction that changed files, it includes that change. */
export async function readSpace(db: Kysely<Database>, districtId: number, defaults: QuotaDefaults): Promise<DistrictSpace> {
  const row = await db
    .selectFrom('district_usage as u')
    .leftJoin('district_quotas as q', 'q.district_id', 'u.district_id')
    .select(['u.bytes as usedBytes', 'u.files as usedFiles', 'q.bytes as quotaBytes', 'q.files as quotaFiles'])
    .where('u.district_id', '=', districtId)
    .executeTakeFirst();
  const ownBytes = row?.quotaBytes !== null && row?.quotaBytes !== undefined;
  const ownFiles = row?.quotaFiles !== null && row?.quotaFiles !== undefined;
  return {
    districtId,
    quotaBytes: ownBytes ? Number(row.quotaBytes) : defaults.bytes,
    quotaFiles: ownFiles ? Number(row.quotaFiles) : defaults.files,
    usedBytes: Number(row?.usedBytes ?? 0),
    usedFiles: Number(row?.usedFiles ?? 0),
    own: { bytes: ownBytes, files: ownFiles },
  };
}

/** Sets a district's own quota; `null` for one part returns it to the server's default, `undefined` leaves it. */
export async function setQuota(db: Kysely<Database>, districtId: number, quota: { bytes?: number | null; files?: number | null }): Promise<void> {
  for (const [what, n] of [['bytes', quota.bytes], ['files', quota.files]] as const) {
    if (n !== undefined && n !== null && (!Number.isSafeInteger(n) || n < 0)) {
      throw new LanyardError('invalid', `The ${what === 'bytes' ? 'byte' : 'file'} quota must be a whole number of ${what}, 0 or more (got ${n}).`);
    }
  }
  const set: { bytes?: number | null; files?: number | null } = {};
  if (quota.bytes !== undefined) set.bytes = quota.bytes;
  if (quota.files !== undefined) set.files = quota.files;
  if (Object.keys(set).length === 0) return;
  await db
    .insertInto('district_quotas')
    .values({ district_id: districtId, bytes: quota.bytes ?? null, files: quota.files ?? null })
    .onConflict((oc) => oc.column('district_id').doUpdateSet(set))
    .execute();
}

/** Bytes still free; never negative (a lowered quota can leave a district over it). */
export const bytesLeft = (s: DistrictSpace) => Math.max(0, s.quotaBytes - s.usedBytes);
export const filesLeft = (s: DistrictSpace) => Math.max(0, s.quotaFiles - s.usedFiles);

/** What a secretary reads when an upload does not fit: how much is left, and what to do. */
export function quotaFullMessage(s: DistrictSpace, file: string, what: 'bytes' | 'files'): string {
  const left = `${formatBytes(bytesLeft(s))} of ${formatBytes(s.quotaBytes)} and ${filesLeft(s).toLocaleString('en-US')} of ${s.quotaFiles.toLocaleString('en-US')} files are left`;
  const why = what === 'files' ? `the drop box already holds its limit of ${s.quotaFiles.toLocaleString('en-US')} files` : `it would not fit in the drop box's ${formatBytes(s.quotaBytes)} quota`;
  return `${file} was not stored: ${why} (${left}). Delete files you no longer need from idphotos or data, or ask Lanyard support for a larger quota.`;
}

/** An upload that does not fit in the district's quota: the edges show its sentence wherever the client lets them. */
export class QuotaFullError extends LanyardError {
  override name = 'QuotaFullError';
}

export function quotaFull(s: DistrictSpace, file: string, what: 'bytes' | 'files'): QuotaFullError {
  return new QuotaFullError('too-large', quotaFullMessage(s, file, what));
}
