import { sql } from 'kysely';
import { writeAudit, type ChangedBy } from '../audit/audit.js';
import type { BlobStore } from '../blobs/blobStore.js';
import { inTransaction, type Db } from '../db/db.js';
import { guardedDelete } from '../retention/sweep.js';
import { BLOB_REFERENCES } from '../retention/references.js';

/**
 * A district's exit, part two: every row of the district and every stored
 * byte only it referred to. The district row's foreign keys cascade to most
 * tables; the rest (the audit log, which keeps entries of a deleted district
 * otherwise, the login counters under its account name, and tables without a
 * foreign key) are removed here by name. One server-wide audit entry, with
 * the counts, stays.
 */

/** Tables with a district_id counted for the report (and removed by the cascade or below). */
const COUNTED = [
  'people',
  'photo_versions',
  'waiting_photos',
  'dropbox_files',
  'intake_events',
  'devices',
  'checkouts',
  'incidents',
  'staff',
  'api_tokens',
  'district_keys',
  'roster_imports',
  'audit_log',
] as const;

/** District tables with no foreign key to districts: deleted by name. */
const WITHOUT_CASCADE = ['audit_log', 'erasures', 'retention_policies', 'retention_reports'] as const;

export type DeleteCounts = Record<(typeof COUNTED)[number] | 'storedFiles', number>;

async function countRows(db: Db, districtId: number): Promise<Record<(typeof COUNTED)[number], number>> {
  const counts = {} as Record<(typeof COUNTED)[number], number>;
  for (const t of COUNTED) {
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(t)} where district_id = ${districtId}`.execute(db.kysely);
    counts[t] = Number(rows[0]?.n ?? 0);
  }
  return counts;
}

/** What deleting would remove (the CLI's refusal without --yes says it). */
export async function planDistrictDelete(db: Db, districtId: number): Promise<Omit<DeleteCounts, 'storedFiles'>> {
  return countRows(db, districtId);
}

export async function deleteDistrict(db: Db, blobs: BlobStore, input: { districtId: number; by: ChangedBy; now?: Date }): Promise<DeleteCounts> {
  const now = input.now ?? new Date();
  const { counts, keys } = await inTransaction(db, async (trx) => {
    const k = trx.kysely;
    const d = await k.selectFrom('districts').select(['id', 'slug']).where('id', '=', input.districtId).executeTakeFirstOrThrow();
    const counted = await countRows(trx, d.id);
    const held = new Set<string>();
    for (const [table, column] of BLOB_REFERENCES) {
      const { rows } = await sql<{ key: string | null }>`select distinct ${sql.ref(column)} as key from ${sql.table(table)} where district_id = ${d.id}`.execute(k);
      for (const r of rows) if (r.key) held.add(r.key);
    }
    for (const t of WITHOUT_CASCADE) await sql`delete from ${sql.table(t)} where district_id = ${d.id}`.execute(k);
    await k.deleteFrom('login_throttle').where('scope', '=', 'account').where('subject', '=', d.slug).execute();
    // Cascades to keys, tokens, staff and their sessions, people, photos, the drop box, intake, devices and the rest.
    await k.deleteFrom('districts').where('id', '=', d.id).execute();
    await writeAudit(k, { action: 'district.deleted', districtId: null, actor: input.by.actor, address: input.by.address, detail: { slug: d.slug, ...counted } });
    return { counts: counted, keys: [...held] };
  });
  let storedFiles = 0;
  // Bytes another district also uploaded (content-addressed: the same file) stay theirs.
  for (const key of keys) if ((await guardedDelete(db, blobs, key, now)) === 'deleted') storedFiles++;
  return { ...counts, storedFiles };
}
